import { useThread } from "../lib";
import { PageTitle } from "./PageTitle";
import { ErrorNote } from "./state";
import { TweetCard } from "./TweetCard";

/** A tweet, its reply box open, and the replies under it, live. */
export function ThreadPage({ id }: { id: string }) {
  const { tweet, replies, error, addReply } = useThread(id);
  return (
    <>
      <header className="page-header">
        <PageTitle>Thread</PageTitle>
      </header>
      <ErrorNote error={error} />
      {tweet === undefined && error === undefined && <p className="muted center">Loading…</p>}
      {tweet === null && (
        <p className="card muted" data-testid="thread-missing">
          This tweet does not exist (or no longer does).
        </p>
      )}
      {tweet != null && (
        <section
          className="thread"
          data-testid="thread"
          data-tweet-id={tweet.id}
          aria-label="Thread"
        >
          <TweetCard key={tweet.id} tweet={tweet} large replyOpen onReplied={addReply} />
          <h2 className="replies-heading">
            {replies.length === 0
              ? "No replies yet"
              : replies.length === 1
                ? "1 reply"
                : `${replies.length} replies`}
          </h2>
          <ul className="tweet-list replies" data-testid="replies">
            {replies.map((reply) => (
              <li key={reply.id}>
                <TweetCard tweet={reply} replyingTo={tweet.author.handle} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
