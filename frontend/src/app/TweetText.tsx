/** Tweet content with #hashtags and @mentions set off. */
export function TweetText({ content }: { content: string }) {
  const parts = content.split(/([#@][\p{L}\p{N}_]+)/u);
  return (
    <p className="tweet-text" data-testid="tweet-text">
      {parts.map((part, index) =>
        /^[#@][\p{L}\p{N}_]+$/u.test(part) ? (
          <span key={index} className={part.startsWith("#") ? "tag" : "mention"}>
            {part}
          </span>
        ) : (
          part
        ),
      )}
    </p>
  );
}

/** "now", "5m", "3h", or a date. */
export function age(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)}h`;
  return new Date(iso).toLocaleDateString();
}
