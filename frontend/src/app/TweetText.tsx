import { Link, paths } from "./router";

const TOKEN = /([#@][\p{L}\p{N}_]+)/u;

/** Tweet content with #hashtags and @mentions as links to their pages. */
export function TweetText({ content, large = false }: { content: string; large?: boolean }) {
  return (
    <p className={`tweet-text${large ? " large" : ""}`} data-testid="tweet-text">
      {content.split(TOKEN).map((part, index) => {
        if (!/^[#@][\p{L}\p{N}_]+$/u.test(part)) return part;
        const name = part.slice(1);
        const hashtag = part.startsWith("#");
        return (
          <Link
            key={index}
            to={hashtag ? paths.tag(name) : paths.profile(name)}
            className={`inline-link ${hashtag ? "tag" : "mention"}`}
            data-testid={hashtag ? "hashtag-link" : "mention-link"}
          >
            {part}
          </Link>
        );
      })}
    </p>
  );
}
