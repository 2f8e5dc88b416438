import { useState, type FormEvent } from "react";
import { useMutation } from "urql";

import { PostTweetMutation, useTyping, type FeedTweet, type TypingUser } from "../lib";

function typingLine(users: TypingUser[]): string {
  const names = users.map((user) => user.displayName);
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** A reply form whose conversation is the tweet; shows who else is typing a reply. */
export function ReplyBox({ tweet, onSent }: { tweet: FeedTweet; onSent: () => void }) {
  const [content, setContent] = useState("");
  const { typingUsers, setTyping } = useTyping(tweet.id);
  const [result, postTweet] = useMutation(PostTweetMutation);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const text = content.trim();
    if (text === "") return;
    setTyping(false);
    const posted = await postTweet({ content: text, replyTo: tweet.id });
    if (posted.data !== undefined) {
      setContent("");
      onSent();
    }
  }

  return (
    <form className="reply-box" data-testid="reply-box" onSubmit={(event) => void submit(event)}>
      <textarea
        data-testid="reply-input"
        placeholder={`Reply to ${tweet.author.displayName}`}
        value={content}
        rows={2}
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
        {result.error !== undefined && <span className="error">{result.error.message}</span>}
        <button
          type="submit"
          className="button primary small"
          data-testid="reply-submit"
          disabled={result.fetching || content.trim() === ""}
        >
          Reply
        </button>
      </div>
    </form>
  );
}
