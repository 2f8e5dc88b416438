import { useState, type FormEvent } from "react";
import { useMutation } from "urql";

import { PostTweetMutation, type FeedTweet } from "../lib";
import { Avatar } from "./Avatar";
import { gateProps, useActionGate, useTransientError, useViewer } from "./state";

const MAX_LENGTH = 280;

export function Compose({ onPosted }: { onPosted: (tweet: FeedTweet) => void }) {
  const viewer = useViewer();
  const [content, setContent] = useState("");
  const [result, postTweet] = useMutation(PostTweetMutation);
  const [error, setError] = useTransientError();
  const gate = useActionGate();
  const left = MAX_LENGTH - content.length;

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const text = content.trim();
    if (text === "" || gate.disabled) return;
    const posted = await postTweet({ content: text, replyTo: null });
    if (posted.data !== undefined) {
      setContent("");
      setError(undefined);
      onPosted(posted.data.postTweet);
    } else if (posted.error !== undefined) {
      setError(posted.error);
    }
  }

  return (
    <form className="card compose" data-testid="compose" onSubmit={(event) => void submit(event)}>
      {viewer !== undefined && <Avatar user={viewer} />}
      <div className="compose-body">
        <textarea
          data-testid="compose-input"
          aria-label="What's happening?"
          placeholder="What's happening? Use #tags and @mentions."
          value={content}
          maxLength={MAX_LENGTH}
          rows={2}
          onChange={(event) => setContent(event.target.value)}
        />
        <div className="compose-actions">
          {error !== undefined && (
            <span className="error" role="alert" data-testid="compose-error">
              {error}
            </span>
          )}
          <span
            className={`small ${left < 20 ? "error" : "muted"}`}
            aria-label={`${left} characters left`}
          >
            {left}
          </span>
          <button
            type="submit"
            className="button primary"
            data-testid="compose-submit"
            disabled={result.fetching || content.trim() === ""}
            {...gateProps(gate)}
          >
            Post
          </button>
        </div>
      </div>
    </form>
  );
}
