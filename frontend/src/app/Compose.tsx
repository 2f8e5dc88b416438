import { useState, type FormEvent } from "react";
import { useMutation } from "urql";

import { PostTweetMutation, type FeedTweet } from "../lib";

const MAX_LENGTH = 280;

export function Compose({ onPosted }: { onPosted: (tweet: FeedTweet) => void }) {
  const [content, setContent] = useState("");
  const [result, postTweet] = useMutation(PostTweetMutation);

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const text = content.trim();
    if (text === "") return;
    const posted = await postTweet({ content: text, replyTo: null });
    if (posted.data !== undefined) {
      setContent("");
      onPosted(posted.data.postTweet);
    }
  }

  return (
    <form className="card compose" data-testid="compose" onSubmit={(event) => void submit(event)}>
      <textarea
        data-testid="compose-input"
        placeholder="What's happening? Use #tags and @mentions."
        value={content}
        maxLength={MAX_LENGTH}
        rows={2}
        onChange={(event) => setContent(event.target.value)}
      />
      <div className="compose-actions">
        {result.error !== undefined && (
          <span className="error" data-testid="compose-error">
            {result.error.message}
          </span>
        )}
        <span className="muted small">{MAX_LENGTH - content.length}</span>
        <button
          type="submit"
          className="button primary"
          data-testid="compose-submit"
          disabled={result.fetching || content.trim() === ""}
        >
          Post
        </button>
      </div>
    </form>
  );
}
