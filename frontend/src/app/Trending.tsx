import { useTrending } from "../lib";
import { Link, paths } from "./router";

export function Trending() {
  const trending = useTrending();
  return (
    <section className="card trending" data-testid="trending" aria-labelledby="trending-heading">
      <header className="card-header">
        <h2 id="trending-heading">Trending</h2>
        {trending !== undefined && (
          <span className="muted small">last {Math.round(trending.windowSeconds / 60)} min</span>
        )}
      </header>
      {trending === undefined && <p className="muted">Waiting for the first ranking…</p>}
      {trending !== undefined && trending.topics.length === 0 && (
        <p className="muted">No hashtags yet. Post one!</p>
      )}
      <ol className="trending-list" data-testid="trending-list">
        {trending?.topics.map((topic) => (
          <li key={topic.topic} data-testid="trending-topic" data-topic={topic.topic}>
            <Link to={paths.tag(topic.topic)} className="trending-link" data-testid="trending-link">
              <span className="rank" aria-hidden="true">
                {topic.rank}
              </span>
              <span className="tag">#{topic.topic}</span>
              <span className="muted count" data-testid="trending-count">
                {topic.tweetCount} {topic.tweetCount === 1 ? "tweet" : "tweets"}
              </span>
            </Link>
          </li>
        ))}
      </ol>
    </section>
  );
}
