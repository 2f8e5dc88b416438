"""The GraphiQL page (GET /graphql from a browser): Strawberry's, with our token handling, our own
subscription client, and headers that keep it from leaking the token or being framed.

- The token comes from `?token=` (then kept in localStorage) and is removed from the address
  bar as soon as it is read (`history.replaceState`), so it is not left in history, bookmarks or
  a shared screen. Queries and mutations send it as `Authorization: Bearer`.
- Subscriptions run over our own small graphql-transport-ws client: one socket per subscription,
  the token in `connection_init`, and no retries. A refusal (4403 without a token, say) ends the
  subscription with the server's own reason in the result pane; graphql-ws's client, which
  GraphiQL would use, retries a 4403 for half a minute and then shows an empty object.
- Subscriptions go over the transport picked in the page's corner (kept in localStorage): the
  WebSocket client above, or GraphQL over SSE (`fetch` with `Accept: text/event-stream`, the
  token as `Authorization`), whose end without `complete` shows the server's reason likewise.
- Its scripts and stylesheets are Tidings' own files (`graphiql_assets.py`): the page asks no
  other host for anything.
- `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` and a Content-Security-Policy that
  allows exactly the page's own inline scripts (by hash) and this server's files.
"""

from __future__ import annotations

import base64
import hashlib
import re

from strawberry.http.ides import get_graphql_ide_html

from .graphiql_assets import localize

_FETCHER = re.compile(r"const fetcher = GraphiQL\.createFetcher\(\{.*?\}\);", re.DOTALL)

# Runs where Strawberry's page made its fetcher: `parameters` (the parsed query string),
# `defaultHeaders`, `fetchURL` and `subscriptionUrl` are defined above it.
_TIDINGS_JS = r"""const tidingsAddress = new URL(window.location.href);
      const tidingsToken = tidingsAddress.searchParams.get("token")
        || window.localStorage.getItem("tidings-token");
      if (tidingsAddress.searchParams.has("token")) {
        // Read once, then out of the address bar (history, bookmarks, screen shares).
        tidingsAddress.searchParams.delete("token");
        delete parameters.token;
        const { pathname, search, hash } = tidingsAddress;
        window.history.replaceState(null, "", pathname + search + hash);
      }
      if (tidingsToken) {
        window.localStorage.setItem("tidings-token", tidingsToken);
        defaultHeaders["Authorization"] = "Bearer " + tidingsToken;
      }

      // Whether the operation to run is a subscription: the definitions at the top level, read
      // without comments and strings; `{ ... }` alone is a query, fragments are skipped.
      function tidingsIsSubscription(params) {
        const source = String(params.query || "")
          .replace(/#[^\n\r]*/g, "")
          .replace(/"{3}[\s\S]*?"{3}|"(?:[^"\\]|\\.)*"/g, '""');
        const tokens = source.match(/[{}]|[_A-Za-z][_0-9A-Za-z]*/g) || [];
        let depth = 0;
        let kind = null;
        let name = null;
        for (let i = 0; i < tokens.length; i++) {
          const token = tokens[i];
          if (token === "}") {
            depth--;
          } else if (token === "{") {
            if (depth === 0) {
              const operation = kind || "query";
              if (operation !== "fragment" && (!params.operationName || params.operationName === name)) {
                return operation === "subscription";
              }
              kind = null;
              name = null;
            }
            depth++;
          } else if (depth === 0 && kind === null) {
            kind = token;
            name = tokens[i + 1] !== "{" ? tokens[i + 1] : null;
          }
        }
        return false;
      }

      // What a transport receives, as the async iterator GraphiQL reads: `push({value})` a
      // result, `push({end: true})` the end (nothing after it); `close` ends the transport once
      // the reader reaches the end or leaves.
      function resultQueue(close) {
        const queue = [];
        let wake = null;
        let ended = false;
        const push = (item) => {
          if (ended) return;
          if (item.end) ended = true;
          queue.push(item);
          if (wake) { wake(); wake = null; }
        };
        const results = {
          [Symbol.asyncIterator]() { return this; },
          async next() {
            while (!queue.length) await new Promise((resolve) => { wake = resolve; });
            const item = queue.shift();
            if (item.end) { close(); return { done: true, value: undefined }; }
            return { done: false, value: item.value };
          },
          async return() { close(); return { done: true, value: undefined }; },
        };
        return { push, results };
      }

      // graphql-transport-ws, one socket per subscription, no retries: a refusal ends the
      // subscription with the server's own reason.
      function tidingsSubscribe(params) {
        const { push, results } = resultQueue(() => close());
        const socket = new WebSocket(subscriptionUrl, "graphql-transport-ws");
        const send = (message) => socket.send(JSON.stringify(message));
        socket.onopen = () => send({
          type: "connection_init",
          payload: tidingsToken ? { authorization: "Bearer " + tidingsToken } : {},
        });
        socket.onmessage = (event) => {
          const message = JSON.parse(event.data);
          if (message.type === "connection_ack") {
            send({ id: "1", type: "subscribe", payload: params });
          } else if (message.type === "ping") {
            send({ type: "pong" });
          } else if (message.type === "next") {
            push({ value: message.payload });
          } else if (message.type === "error") {
            push({ value: { errors: message.payload } });
            push({ end: true });
          } else if (message.type === "complete") {
            push({ end: true });
          }
        };
        socket.onclose = (event) => {
          if (event.code !== 1000) {
            const reason = event.reason || "The connection closed (" + event.code + ").";
            push({ value: { errors: [{ message: reason, extensions: { closeCode: event.code } }] } });
          }
          push({ end: true });
        };
        const close = () => {
          if (socket.readyState === WebSocket.OPEN) send({ id: "1", type: "complete" });
          if (socket.readyState <= WebSocket.OPEN) socket.close(1000);
        };
        return results;
      }

      // GraphQL over SSE (distinct connections mode): one request per subscription, the token as
      // Authorization. A stream that ends without `complete` shows the server's reason (its
      // last comment: a restart, an expired token).
      function tidingsSse(params) {
        const controller = new AbortController();
        const { push, results } = resultQueue(() => controller.abort());
        const fail = (message) => { push({ value: { errors: [{ message }] } }); push({ end: true }); };
        (async () => {
          const response = await fetch(fetchURL, {
            method: "POST",
            headers: { ...defaultHeaders, "Content-Type": "application/json", Accept: "text/event-stream" },
            body: JSON.stringify(params),
            signal: controller.signal,
          });
          if (!response.ok) {
            const body = await response.text();
            try { push({ value: JSON.parse(body) }); push({ end: true }); } catch { fail(body); }
            return;
          }
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          let why = "The stream ended.";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let event = "";
              let data = "";
              for (const line of block.split("\n")) {
                if (line.startsWith("event:")) event = line.slice(6).trim();
                else if (line.startsWith("data:")) data += line.slice(5).trim();
                else if (line.startsWith(":") && line.slice(1).trim()) why = line.slice(1).trim();
              }
              if (event === "next") push({ value: JSON.parse(data) });
              if (event === "complete") { push({ end: true }); return; }
            }
          }
          fail(why);
        })().catch((error) => { if (!controller.signal.aborted) fail(String(error)); });
        return results;
      }

      // Which transport subscriptions take: the picker in the corner, remembered.
      const tidingsTransport = document.getElementById("tidings-transport");
      tidingsTransport.value = window.localStorage.getItem("tidings-transport") || "websocket";
      tidingsTransport.addEventListener("change", () =>
        window.localStorage.setItem("tidings-transport", tidingsTransport.value));

      const tidingsHttp = GraphiQL.createFetcher({ url: fetchURL, headers: defaultHeaders });
      const fetcher = (params, options) => {
        if (!tidingsIsSubscription(params)) return tidingsHttp(params, options);
        return tidingsTransport.value === "sse" ? tidingsSse(params) : tidingsSubscribe(params);
      };"""

# The transport picker, outside React: a plain select in the page's corner.
_PICKER = """<body>
    <label id="tidings-transport-label"
      style="position: fixed; right: 12px; bottom: 10px; z-index: 10; font: 12px sans-serif; color: #666">
      Subscriptions over
      <select id="tidings-transport" data-testid="tidings-transport">
        <option value="websocket">WebSocket</option>
        <option value="sse">SSE</option>
      </select>
    </label>"""

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')
_STYLE_HREF = re.compile(
    r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"|<link[^>]*href="([^"]+)"[^>]*rel="stylesheet"'
)


def graphiql_html() -> str:
    """Strawberry's GraphiQL page with our token handling, subscription clients and transport
    picker, loading its files from this server."""
    html, count = _FETCHER.subn(lambda _: _TIDINGS_JS, get_graphql_ide_html("graphiql"), count=1)
    # Strawberry's template changed: fail at start, not with a page that leaks or spins.
    assert count == 1, "Strawberry's GraphiQL page no longer makes its fetcher where we expect"
    assert html.count("<body>") == 1, "Strawberry's GraphiQL page has no single <body>"
    return localize(html.replace("<body>", _PICKER, 1))


def security_headers(html: str) -> dict[str, str]:
    """The headers the page is sent with; the CSP lists what this very page loads."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    # This server's own files (a path) as 'self': a CSP source names a host, not a path.
    scripts = " ".join(sorted({_source(url) for url in _SCRIPT_SRC.findall(html)}))
    styles = " ".join(sorted({_source(a or b) for a, b in _STYLE_HREF.findall(html)}))
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts} {hashes}",
            # React and GraphiQL's editor set inline styles as they render.
            f"style-src {styles} 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


def _source(url: str) -> str:
    return "'self'" if url.startswith("/") else url
