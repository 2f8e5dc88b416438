"""GET /metrics: the Prometheus text format, and counters that move when events flow."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ..conftest import eventually


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and sorted labels (parsed by prometheus_client)."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def test_metrics_parse_and_count_http_requests(app_client):
    first = await app_client.get("/metrics")
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    names = {family.name for family in text_string_to_metric_families(first.text)}
    assert names >= {
        "tidings_connections",
        "tidings_subscriptions",
        "tidings_events_published",
        "tidings_messages_delivered",
        "tidings_delivery_latency_seconds",
        "tidings_executions",
        "tidings_shared_results",
        "tidings_hydrations",
        "tidings_coalesced",
        "tidings_overflowed",
        "tidings_auth_failures",
        "tidings_ws_closes",
        "tidings_broker_reconnects",
        "tidings_http_requests",
        "tidings_http_request_duration_seconds",
    }
    await app_client.get("/healthz")
    await app_client.get("/healthz")
    await app_client.get("/no/such/page")
    after = samples((await app_client.get("/metrics")).text)
    assert (
        after[("tidings_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))]
        == 2
    )
    assert (
        after[("tidings_http_requests_total", (("method", "GET"), ("route", "other"), ("status", "404")))]
        == 1
    )
    assert (
        after[("tidings_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz")))]
        == 2
    )
    assert after[("tidings_connections", ())] == 0


async def test_counters_move_when_events_flow(live_server, ws_as, ws_raw, api, http):
    tweet_id = await api("alice").post("watch me")
    before = samples((await http.get("/metrics")).text)
    async with ws_as("carol") as carol:
        counts = await carol.subscribe(f'engagement(tweetId: "{tweet_id}") {{ likes }}')
        assert await counts.next() == {"likes": 0}
        await eventually(lambda: live_server.stats()["subscriptions"] == 1)
        live = samples((await http.get("/metrics")).text)
        assert live[("tidings_connections", ())] == 1
        assert live[("tidings_subscriptions", (("field", "engagement"),))] == 1
        await api("bob")(f'mutation {{ likeTweet(tweetId: "{tweet_id}") {{ likes }} }}')
        assert await counts.next() == {"likes": 1}
        await carol.close()
    stranger = await ws_raw()
    await stranger.init(None, expect_ack=False)
    assert (await stranger.wait_closed()).code == 4403
    await eventually(lambda: live_server.stats()["connections"] == 0)
    after = samples((await http.get("/metrics")).text)

    def moved(name: str, *labels: tuple[str, str]) -> float:
        return after.get((name, labels), 0) - before.get((name, labels), 0)

    assert moved("tidings_events_published_total", ("stream", "engagement")) == 1
    assert moved("tidings_events_published_total", ("stream", "notifications")) == 1
    assert moved("tidings_messages_delivered_total") == 2
    assert (moved("tidings_executions_total"), moved("tidings_shared_results_total")) == (2, 0)
    assert moved("tidings_delivery_latency_seconds_count") == 1  # the one event with a local subscriber
    assert 0 < moved("tidings_delivery_latency_seconds_sum") < 2
    assert moved("tidings_auth_failures_total", ("reason", "missing_token")) == 1
    assert moved("tidings_ws_closes_total", ("code", "4403")) == 1
    assert after[("tidings_connections", ())] == 0
    assert ("tidings_subscriptions", (("field", "engagement"),)) not in after


async def test_worker_processes_are_summed_from_the_metrics_directory(tmp_path, settings):
    """Two apps stand in for two workers: each scrape shows both; a stopped one keeps its counters."""
    import httpx

    from tidings.http import create_app

    directory = tmp_path / "metrics"
    apps = [create_app(settings.model_copy(update={"metrics_dir": directory})) for _ in range(2)]
    async with apps[0].router.lifespan_context(apps[0]):
        async with apps[1].router.lifespan_context(apps[1]):
            transports = [httpx.ASGITransport(app=app) for app in apps]
            one, two = (httpx.AsyncClient(transport=t, base_url="http://tidings.test") for t in transports)
            async with one, two:
                await two.get("/healthz")
                apps[1].state.tidings.metrics.export()
                both = samples((await one.get("/metrics")).text)
                assert both[("tidings_processes", ())] == 2
                assert (
                    both[
                        (
                            "tidings_http_requests_total",
                            (("method", "GET"), ("route", "/healthz"), ("status", "200")),
                        )
                    ]
                    == 1
                )
        after = samples(
            (
                await httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://t").get(
                    "/metrics"
                )
            ).text
        )
    assert after[("tidings_processes", ())] == 1
    assert (
        after[("tidings_http_requests_total", (("method", "GET"), ("route", "/healthz"), ("status", "200")))]
        == 1
    )
