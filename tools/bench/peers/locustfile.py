"""The trivia leaderboard journey (scenarios/trivia/leaderboard.yaml) for Locust, run by
the peers section of tools/bench/run: each user runs the three GETs in a loop with no
think time and the same status and JSON checks; a request whose check fails is marked
failed (catch_response) with a message starting "check:" (one that got no answer:
"error:"). FastJourney is a FastHttpUser
(geventhttpclient), SlowJourney an HttpUser (python-requests)."""

from locust import FastHttpUser, HttpUser, constant, task

SEASON = "2025-s1"


def board_global(b):
    return (len(b["entries"]) == 10 and b["entries"][0]["rank"] == 1
            and b["total"] >= 10)


def board_category(b):
    return b["category"] == "history" and len(b["entries"]) == 5


def board_next_page(b):
    return b["entries"][0]["rank"] == 11


# name, path (the URL loadgate renders from leaderboard.yaml), the JSON checks
STEPS = [
    ("global", f"/v1/leaderboard?season={SEASON}&limit=10", board_global),
    ("category", f"/v1/leaderboard?season={SEASON}&category=history&limit=5", board_category),
    ("next-page", f"/v1/leaderboard?season={SEASON}&limit=10&offset=10", board_next_page),
]


def journey(client):
    for name, path, checks in STEPS:
        with client.get(path, name=name, catch_response=True) as resp:
            if not resp.status_code:  # no answer: Locust's own error, not a check
                resp.failure(f"error: {resp.error}")
                continue
            if resp.status_code != 200:
                resp.failure(f"check: status {resp.status_code}")
                continue
            try:
                ok = checks(resp.json())
            except (ValueError, TypeError, KeyError, IndexError):
                ok = False
            if ok:
                resp.success()
            else:
                resp.failure(f"check: {name} body")


class FastJourney(FastHttpUser):
    wait_time = constant(0)

    @task
    def leaderboard(self):
        journey(self.client)


class SlowJourney(HttpUser):
    wait_time = constant(0)

    @task
    def leaderboard(self):
        journey(self.client)
