/**
 * The dashboard's few pages, on the History API (no router library: the bundle stays
 * small). The server answers every one of these paths with index.html.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

export type Route =
  | { page: "home" }
  | { page: "profile"; handle: string }
  | { page: "thread"; id: string }
  | { page: "tag"; tag: string }
  | { page: "missing" };

function segment(value: string): string | undefined {
  try {
    const decoded = decodeURIComponent(value);
    return decoded === "" ? undefined : decoded;
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "home" };
  const match = /^\/(u|t|tag)\/([^/]+)\/?$/.exec(pathname);
  const value = match?.[2] === undefined ? undefined : segment(match[2]);
  if (match === null || value === undefined) return { page: "missing" };
  if (match[1] === "u") return { page: "profile", handle: value };
  if (match[1] === "tag") return { page: "tag", tag: value.toLowerCase() };
  return /^\d{1,20}$/.test(value) ? { page: "thread", id: value } : { page: "missing" };
}

export const paths = {
  home: () => "/",
  profile: (handle: string) => `/u/${encodeURIComponent(handle)}`,
  thread: (id: string) => `/t/${encodeURIComponent(id)}`,
  tag: (tag: string) => `/tag/${encodeURIComponent(tag.toLowerCase())}`,
};

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

const pathname = () => location.pathname;

/** Goes to `to` without reloading, at the top of the new page. */
export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  window.scrollTo(0, 0);
  for (const listener of [...listeners]) listener();
}

/** The current page, re-rendering on navigation (links, back and forward). */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, pathname, pathname));
}

/** An ordinary link (middle-click, copy address and open-in-new-tab keep working). */
export function Link({
  to,
  onClick,
  ...rest
}: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  function follow(event: MouseEvent<HTMLAnchorElement>): void {
    onClick?.(event);
    const plain =
      event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
    if (event.defaultPrevented || !plain) return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={follow} {...rest} />;
}
