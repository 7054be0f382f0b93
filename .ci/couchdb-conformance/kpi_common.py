"""Persona-style KPI blobs and time-sortable document ids shared by the two KPI flow scripts."""

import uuid

# 2012-03-29T18:35:04Z in milliseconds, the era of Persona's KPI data.
BASE_MILLISECONDS = 1_333_046_104_000
STEP_MILLISECONDS = 1_000
BLOB_COUNT = 60


def document_id(timestamp_ms):
    """Return a time-sortable id: 13-digit zero-padded milliseconds, a dash, a unique suffix."""
    return "%013d-%s" % (timestamp_ms, uuid.uuid4().hex[:12])


def range_key(timestamp_ms):
    """Return the _all_docs key that sorts before every id of that millisecond."""
    return "%013d" % timestamp_ms


def persona_blob(index):
    """Return one interaction_data blob as Persona posted it, with its id and numeric timestamp."""
    timestamp = BASE_MILLISECONDS + index * STEP_MILLISECONDS
    return {
        "_id": document_id(timestamp),
        "timestamp": timestamp,
        "lang": "en-US",
        "event_stream": [["screen.rp_info", 0], ["screen.authenticate", 350 + index], ["window.submit", 1200]],
        "sample_rate": 1,
        "number_emails": 1 + index % 3,
        "number_sites_signed_in": index % 4,
        "new_account": index % 5 == 0,
        "screen_size": {"width": 1280, "height": 800},
        "user_agent": {"os": "Linux", "browser": "Firefox", "version": "11.0"},
    }


def unique_database_name(client):
    return "kpi-flow-%s-%s" % (client, uuid.uuid4().hex[:8])


def check(condition, message):
    """Exit with status 1 and the message when the condition does not hold."""
    if not condition:
        raise SystemExit("FAILED: " + message)
