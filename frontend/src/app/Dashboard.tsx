import { useQuery } from "urql";

import { useFeedUpdates, ViewerQuery } from "../lib";
import { Compose } from "./Compose";
import { Feed } from "./Feed";
import { NotificationsPanel } from "./NotificationsPanel";
import { StatusBadge } from "./StatusBadge";
import { Trending } from "./Trending";

export function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const [viewer] = useQuery({ query: ViewerQuery });
  const me = viewer.data?.viewer;
  const feed = useFeedUpdates();

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Tidings</span>
        <StatusBadge />
        <span className="spacer" />
        {me != null && (
          <span className="viewer" data-testid="viewer" data-user-id={me.id}>
            {me.displayName} <span className="muted">@{me.handle}</span>
          </span>
        )}
        <button type="button" className="button small" data-testid="signout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <aside className="side">
          <NotificationsPanel />
          <Trending />
        </aside>
        <main className="main">
          <Compose onPosted={feed.addTweet} />
          <Feed feed={feed} viewerId={me?.id} />
        </main>
      </div>
    </div>
  );
}
