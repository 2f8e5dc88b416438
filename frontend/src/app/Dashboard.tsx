import { useEffect, useMemo, useRef } from "react";
import { useQuery } from "urql";

import { useFeedUpdates, useNotifications, ViewerQuery } from "../lib";
import { Avatar } from "./Avatar";
import { HomePage } from "./Feed";
import { NotificationsPanel } from "./NotificationsPanel";
import { PageTitle } from "./PageTitle";
import { ProfilePage } from "./ProfilePage";
import { Link, paths, useRoute, type Route } from "./router";
import { OFFLINE_REASON_ID, useActionGate, ViewerContext } from "./state";
import { StatusBadge } from "./StatusBadge";
import { TagPage } from "./TagPage";
import { ThreadPage } from "./ThreadPage";
import { Trending } from "./Trending";

function routeKey(route: Route): string {
  switch (route.page) {
    case "profile":
      return `u/${route.handle}`;
    case "thread":
      return `t/${route.id}`;
    case "tag":
      return `tag/${route.tag}`;
    default:
      return route.page;
  }
}

export function Dashboard({ onSignOut }: { onSignOut: () => void }) {
  const [viewer] = useQuery({ query: ViewerQuery });
  const me = viewer.data?.viewer ?? undefined;
  // The feed lives as long as the session: its stream and "N new" survive page changes.
  const feed = useFeedUpdates();
  const inbox = useNotifications();
  const live = useMemo(() => [...feed.pending, ...feed.tweets], [feed.pending, feed.tweets]);
  const route = useRoute();
  const gate = useActionGate();
  const key = routeKey(route);

  // After a navigation (not on the first page), focus goes to the new page's heading.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>(".page-title")?.focus();
  }, [key]);

  let page;
  switch (route.page) {
    case "home":
      page = (
        <>
          <header className="page-header">
            <PageTitle>Home</PageTitle>
          </header>
          <HomePage feed={feed} />
        </>
      );
      break;
    case "profile":
      page = <ProfilePage key={key} handle={route.handle} live={live} />;
      break;
    case "thread":
      page = <ThreadPage key={key} id={route.id} />;
      break;
    case "tag":
      page = <TagPage key={key} tag={route.tag} live={live} />;
      break;
    case "missing":
      page = (
        <section className="card">
          <PageTitle>Nothing here</PageTitle>
          <p>
            This page does not exist.{" "}
            <Link to={paths.home()} className="inline-link">
              Back home
            </Link>
          </p>
        </section>
      );
  }

  return (
    <ViewerContext.Provider value={me}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="app">
        <header className="topbar">
          <Link to={paths.home()} className="brand" data-testid="home-link">
            Tidings
          </Link>
          <StatusBadge />
          <span className="spacer" />
          {/* On a phone the notifications come after the feed: this jumps there. */}
          <a href="#notifications" className="bell" data-testid="nav-notifications">
            <svg className="bell-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" />
            </svg>
            <span className="sr-only">Notifications, </span>
            <span className={`badge${inbox.unreadCount > 0 ? " badge-unread" : ""}`}>
              {inbox.unreadCount}
            </span>
            <span className="sr-only"> unread</span>
          </a>
          {me != null && (
            <Link
              to={paths.profile(me.handle)}
              className="viewer"
              data-testid="viewer"
              data-user-id={me.id}
              title={`Your profile: @${me.handle}`}
            >
              <Avatar user={me} size="small" />
              <span className="viewer-name">{me.displayName}</span>
            </Link>
          )}
          <button type="button" className="button" data-testid="signout" onClick={onSignOut}>
            Sign out
          </button>
        </header>
        {gate.reason !== undefined && (
          <p
            className="offline-banner"
            id={OFFLINE_REASON_ID}
            data-testid="offline-reason"
            role="status"
          >
            {gate.reason}
          </p>
        )}
        <div className="layout">
          <main className="main" id="main" tabIndex={-1} data-page={route.page}>
            {page}
          </main>
          <aside className="side" aria-label="Notifications and trending">
            <NotificationsPanel inbox={inbox} />
            <Trending />
          </aside>
        </div>
      </div>
    </ViewerContext.Provider>
  );
}
