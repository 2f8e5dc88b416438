"""`tidings simulate`: realistic activity against a running server, over its public API.

Simulated users (and the demo users, when the server runs with --demo) post tweets with
hashtags and @mentions, like, retweet, reply, follow and type, at `rate` actions a second, as
HTTP mutations with tokens minted from TIDINGS_SECRET. One updating line shows the progress:

    simulate  12.0s  sent 598  49.8/s  errors 0  post 181 like 176 reply 59 retweet 61 follow 30 typing 91
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sys
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import httpx

from .auth import issue

NAMES = [
    "ada",
    "grace",
    "linus",
    "guido",
    "barbara",
    "ken",
    "margaret",
    "dennis",
    "frances",
    "alan",
    "radia",
    "edsger",
    "hedy",
    "donald",
    "katherine",
    "tim",
    "sophie",
    "bjarne",
    "anita",
    "john",
]
TOPICS = ["graphql", "python", "launch", "realtime", "rust", "music", "coffee", "football", "ai", "design"]
PHRASES = [
    "Just shipped something I am proud of",
    "Anyone else up this early?",
    "Hot take:",
    "Reading about",
    "Can't stop thinking about",
    "Big news today",
    "Learning more about",
    "Loving the new",
    "Thread on",
    "Who is going to the meetup about",
]
WEIGHTS = {"post": 30, "like": 30, "reply": 10, "retweet": 10, "follow": 5, "typing": 15}
RECENT = 200  # tweets remembered as targets for likes, retweets and replies
IN_FLIGHT = 64  # requests outstanding at most; beyond that the rate falls behind and it shows


@dataclass
class Progress:
    started: float = field(default_factory=time.monotonic)
    sent: int = 0
    errors: int = 0
    by_action: Counter[str] = field(default_factory=Counter)
    last_error: str = ""

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.sent / elapsed if elapsed > 0 else 0.0
        actions = " ".join(f"{name} {self.by_action[name]}" for name in WEIGHTS)
        return f"simulate {elapsed:6.1f}s  sent {self.sent}  {rate:.1f}/s  errors {self.errors}  {actions}"


class Simulator:
    """Drives one server: `await Simulator(...).run(duration)` returns the final Progress."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        users: int,
        rate: float,
        seed: int | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.secret = secret
        self.rate = rate
        self.random = random.Random(seed)
        self.users = [f"{NAMES[i % len(NAMES)]}{i // len(NAMES) or ''}" for i in range(users)]
        self.tokens: dict[str, str] = {}
        self.tweets: deque[tuple[str, str]] = deque(maxlen=RECENT)  # (tweet id, author)
        self.typing: set[tuple[str, str]] = set()
        self.progress = Progress()
        self.http = httpx.AsyncClient(base_url=self.url, timeout=timeout)

    def _token(self, user: str, name: str | None = None) -> str:
        token = self.tokens.get(user)
        if token is None:
            token = self.tokens[user] = issue(
                user, secret=self.secret, handle=user, name=name or user.capitalize(), ttl=24 * 3600
            )
        return token

    async def graphql(self, user: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {self._token(user)}"},
        )
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            message = (body.get("errors") or [{}])[0].get("message", f"HTTP {response.status_code}")
            raise RuntimeError(message)
        data: dict[str, Any] = body["data"]
        return data

    async def setup(self) -> None:
        """Meet the demo users if the server has them, sign everyone in, and follow a few."""
        with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
            response = await self.http.get("/demo/users")
            if response.status_code == 200:
                for demo in response.json()["users"]:
                    self._token(demo["id"], demo["displayName"])
                    self.users.append(demo["id"])
        for user in self.users:
            await self.graphql(user, "{ viewer { id } }")
        for tweet in (await self.graphql(self.users[0], "{ feed(first: 50) { id author { id } } }"))["feed"]:
            self.tweets.append((tweet["id"], tweet["author"]["id"]))
        for user in self.users:
            for other in self.random.sample(self.users, min(4, len(self.users))):
                if other != user:
                    await self.graphql(user, "mutation($u: ID!) { follow(userId: $u) }", {"u": other})

    def _content(self, author: str) -> str:
        words = [self.random.choice(PHRASES)]
        topics = self.random.choices(TOPICS, weights=[len(TOPICS) - i for i in range(len(TOPICS))], k=2)
        words += [f"#{topic}" for topic in dict.fromkeys(topics)]
        if self.random.random() < 0.3:
            words.append("@" + self.random.choice([u for u in self.users if u != author] or [author]))
        return " ".join(words)

    async def act(self, action: str, user: str) -> None:
        r = self.random
        if action in ("like", "retweet", "reply", "typing") and not self.tweets:
            action = "post"
        if action == "post":
            data = await self.graphql(
                user, "mutation($c: String!) { postTweet(content: $c) { id } }", {"c": self._content(user)}
            )
            self.tweets.append((data["postTweet"]["id"], user))
        elif action == "reply":
            parent, author = r.choice(self.tweets)
            content = (
                f"@{author} {r.choice(['Agreed!', 'Not so sure about that', 'Great point', 'Same here'])}"
            )
            data = await self.graphql(
                user,
                "mutation($c: String!, $r: ID) { postTweet(content: $c, replyTo: $r) { id } }",
                {"c": content, "r": parent},
            )
            self.tweets.append((data["postTweet"]["id"], user))
        elif action in ("like", "retweet"):
            field_name = "likeTweet" if action == "like" else "retweet"
            tweet_id, _ = r.choice(self.tweets)
            await self.graphql(
                user, f"mutation($t: ID!) {{ {field_name}(tweetId: $t) {{ likes }} }}", {"t": tweet_id}
            )
        elif action == "follow":
            other = r.choice([u for u in self.users if u != user] or [user])
            await self.graphql(user, "mutation($u: ID!) { follow(userId: $u) }", {"u": other})
        else:  # typing: start in a conversation (a tweet's thread), or stop where this user was typing
            conversation, _ = self.tweets[r.randrange(min(5, len(self.tweets)))]
            is_typing = (user, conversation) not in self.typing
            (self.typing.add if is_typing else self.typing.discard)((user, conversation))
            await self.graphql(
                user,
                "mutation($c: ID!, $t: Boolean!) { setTyping(conversationId: $c, isTyping: $t) }",
                {"c": conversation, "t": is_typing},
            )
        self.progress.by_action[action] += 1

    async def _one(self, action: str, user: str, slots: asyncio.Semaphore) -> None:
        try:
            await self.act(action, user)
            self.progress.sent += 1
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            self.progress.errors += 1
            self.progress.last_error = str(exc) or type(exc).__name__
        finally:
            slots.release()

    async def run(self, duration: float, report: Callable[[Progress], None] | None = None) -> Progress:
        """Act for `duration` seconds at `rate` a second; `report` is called about twice a second."""
        try:
            await self.setup()
            self.progress = Progress()
            actions, weights = list(WEIGHTS), list(WEIGHTS.values())
            slots = asyncio.Semaphore(IN_FLIGHT)
            tasks: set[asyncio.Task[None]] = set()
            start = time.monotonic()
            next_report = start
            for n in range(int(duration * self.rate)):
                due = start + n / self.rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if report is not None and time.monotonic() >= next_report:
                    report(self.progress)
                    next_report += 0.5
                await slots.acquire()
                action = self.random.choices(actions, weights)[0]
                task = asyncio.create_task(self._one(action, self.random.choice(self.users), slots))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            remaining = start + duration - time.monotonic()
            if remaining > 0:
                await asyncio.sleep(remaining)
            await asyncio.gather(*tasks)
            if report is not None:
                report(self.progress)
            return self.progress
        finally:
            await self.http.aclose()


def line_reporter(stream: TextIO) -> Callable[[Progress], None]:
    """One line rewritten in place on a terminal; elsewhere a line every five seconds."""
    tty = stream.isatty()
    last = [time.monotonic()]

    def report(progress: Progress) -> None:
        if tty:
            stream.write("\r\x1b[K" + progress.line())
        elif time.monotonic() - last[0] >= 5:
            last[0] = time.monotonic()
            stream.write(progress.line() + "\n")
        stream.flush()

    return report


def main(url: str, secret: str, *, users: int, rate: float, duration: float, seed: int | None) -> int:
    """The CLI's entry: 0 when it ran (errors counted on the line), 1 when the server is unreachable."""
    simulator = Simulator(url, secret, users=users, rate=rate, seed=seed)
    try:
        progress = asyncio.run(simulator.run(duration, line_reporter(sys.stderr)))
    except (httpx.HTTPError, RuntimeError) as exc:
        print(f"tidings: cannot simulate against {url}: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    print(file=sys.stderr)
    print(progress.line())
    if progress.last_error:
        print(f"last error: {progress.last_error}", file=sys.stderr)
    return 0
