import type { ReactNode } from "react";

/** The page's one `<h1>`; focus moves to it after a navigation, for keyboard and screen readers. */
export function PageTitle({ children }: { children: ReactNode }) {
  return (
    <h1 className="page-title" tabIndex={-1} data-testid="page-title">
      {children}
    </h1>
  );
}
