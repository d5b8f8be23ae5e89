/**
 * A small history-API router: the server answers every non-API GET with index.html, and the
 * SPA picks the page from `location.pathname`. Query strings hold filters and wizard state only
 * (GUIDs, actions, times, a step number), never a secret.
 */
import {
  type AnchorHTMLAttributes,
  createContext,
  type MouseEvent,
  type ReactNode,
  useContext,
  useEffect,
  useState,
} from "react";

interface Location {
  path: string;
  query: URLSearchParams;
}

/** `replace`: replace the current history entry; `keepScroll`: do not scroll to the top. */
export interface NavigateOptions {
  replace?: boolean;
  keepScroll?: boolean;
}

const RouterContext = createContext<{
  location: Location;
  navigate: (to: string, opts?: NavigateOptions) => void;
}>({
  location: { path: "/", query: new URLSearchParams() },
  navigate: () => {},
});

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Provides the current location and `navigate`. */
export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState<Location>(current);
  useEffect(() => {
    const onPop = () => setLocation(current());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);
  const navigate = (to: string, opts: NavigateOptions = {}) => {
    if (opts.replace) window.history.replaceState(null, "", to);
    else if (to !== `${window.location.pathname}${window.location.search}`)
      window.history.pushState(null, "", to);
    setLocation(current());
    if (!opts.keepScroll) window.scrollTo(0, 0);
  };
  return <RouterContext.Provider value={{ location, navigate }}>{children}</RouterContext.Provider>;
}

/** The current location and `navigate(to)`. */
export function useRouter() {
  return useContext(RouterContext);
}

/** Matches `/runs/:id` style patterns; returns the params or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("/").filter(Boolean);
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as string;
    const b = s[i] as string;
    if (a.startsWith(":")) params[a.slice(1)] = decodeURIComponent(b);
    else if (a !== b) return undefined;
  }
  return params;
}

/** An in-app link: a real `<a href>` (so keyboard, middle-click and copy work) that routes without reloading. */
export function Link({
  to,
  children,
  ...rest
}: { to: string; children: ReactNode } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const { navigate, location } = useRouter();
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  const active = location.path === to || (to !== "/" && location.path.startsWith(`${to}/`));
  return (
    <a href={to} onClick={onClick} aria-current={active ? "page" : undefined} {...rest}>
      {children}
    </a>
  );
}
