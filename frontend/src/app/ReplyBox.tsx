import { useRef, useState, type FormEvent } from "react";
import { useMutation } from "urql";

import { PostTweetMutation, useTyping, type FeedTweet, type TypingUser } from "../lib";
import { gateProps, useActionGate, useTransientError } from "./state";

export function typingLine(users: TypingUser[], what = ""): string {
  const names = users.map((user) => user.displayName);
  if (names.length === 1) return `${names[0]} is typing${what}…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing${what}…`;
  return `${names.length} people are typing${what}…`;
}

/** A reply form whose conversation is the tweet; shows who else is typing a reply. */
export function ReplyBox({
  tweet,
  onSent,
  autoFocus = false,
}: {
  tweet: FeedTweet;
  onSent: (reply: FeedTweet) => void;
  autoFocus?: boolean;
}) {
  const [content, setContent] = useState("");
  const { typingUsers, setTyping } = useTyping(tweet.id);
  const [result, postTweet] = useMutation(PostTweetMutation);
  const [error, setError] = useTransientError();
  const gate = useActionGate();
  const input = useRef<HTMLTextAreaElement>(null);
  const label = `Reply to ${tweet.author.displayName}`;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const text = content.trim();
    if (text === "" || gate.disabled) return;
    setTyping(false);
    const posted = await postTweet({ content: text, replyTo: tweet.id });
    if (posted.data !== undefined) {
      setContent("");
      setError(undefined);
      onSent(posted.data.postTweet);
    } else if (posted.error !== undefined) {
      setError(posted.error);
    }
  }

  return (
    <form className="reply-box" data-testid="reply-box" onSubmit={(event) => void submit(event)}>
      <textarea
        ref={input}
        data-testid="reply-input"
        aria-label={label}
        placeholder={`${label}…`}
        value={content}
        rows={2}
        maxLength={280}
        autoFocus={autoFocus}
        onChange={(event) => {
          setContent(event.target.value);
          setTyping(event.target.value !== "");
        }}
        onBlur={() => setTyping(false)}
      />
      <div className="reply-actions">
        <span className="typing" data-testid="typing-indicator" aria-live="polite">
          {typingUsers.length > 0 ? typingLine(typingUsers) : ""}
        </span>
        {error !== undefined && (
          <span className="error" role="alert">
            {error}
          </span>
        )}
        <button
          type="submit"
          className="button primary"
          data-testid="reply-submit"
          disabled={result.fetching || content.trim() === "" || gate.disabled}
          {...gateProps(gate)}
        >
          Reply
        </button>
      </div>
    </form>
  );
}
