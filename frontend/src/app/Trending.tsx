import { useTrending } from "../lib";

export function Trending() {
  const trending = useTrending();
  return (
    <section className="card trending" data-testid="trending">
      <header className="card-header">
        <h2>Trending</h2>
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
            <span className="rank">{topic.rank}</span>
            <span className="tag">#{topic.topic}</span>
            <span className="muted" data-testid="trending-count">
              {topic.tweetCount} {topic.tweetCount === 1 ? "tweet" : "tweets"}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
