"""The embedded filesystem broker survives bad message files: a real `celery worker` on a broker folder under
tmp_path is handed an empty file and a malformed one before a good task; it sets both aside in var/celery/broken/,
says so in its log, keeps running and runs the good task."""

import pytest

from mash.tasks import last_heartbeat
from tests.mash import test_celery
from tests.mash.test_celery import _env, _read_cache_in, _send, _wait_for_heartbeat

start_worker = test_celery.start_worker  # the fixture that starts real workers and stops them at teardown

QUEUE_FILE = "celery.msg"  # kombu names a message file <uuid>_<...>.<queue>.msg; the default queue is "celery"


@pytest.mark.celery
def test_a_worker_sets_aside_an_empty_and_a_malformed_message_and_runs_the_next_good_task(
    tmp_path, settings, start_worker
):
    var_dir = tmp_path / "var"
    env = _env(var_dir)
    _read_cache_in(settings, var_dir)
    worker = start_worker(env)
    broker = var_dir / "celery" / "broker"
    # Names that sort first, so the worker meets them before the good message.
    (broker / f"0000_empty.{QUEUE_FILE}").write_bytes(b"")
    (broker / f"0001_malformed.{QUEUE_FILE}").write_text('{"body": "half a messa')
    _send(env, [{"name": "after-the-bad-files", "send": "now"}])

    assert _wait_for_heartbeat("after-the-bad-files", worker)
    broken = var_dir / "celery" / "broken"
    assert sorted(p.name for p in broken.iterdir()) == [f"0000_empty.{QUEUE_FILE}", f"0001_malformed.{QUEUE_FILE}"]
    assert list(broker.glob(f"*.{QUEUE_FILE}")) == []
    log = worker.log()
    assert f"Broker message file 0000_empty.{QUEUE_FILE} set aside" in log and "the file is empty" in log
    assert f"Broker message file 0001_malformed.{QUEUE_FILE} set aside" in log
    assert worker.process.poll() is None, f"the worker stopped:\n{log}"

    # Still consuming: a later good task runs too.
    _send(env, [{"name": "still-running", "send": "now"}])
    assert _wait_for_heartbeat("still-running", worker)
    assert last_heartbeat("after-the-bad-files")


@pytest.mark.celery
def test_a_message_that_is_json_but_not_a_message_is_set_aside_too(tmp_path, settings, start_worker):
    var_dir = tmp_path / "var"
    env = _env(var_dir)
    _read_cache_in(settings, var_dir)
    worker = start_worker(env)
    (var_dir / "celery" / "broker" / f"0000_list.{QUEUE_FILE}").write_text("[1, 2, 3]")
    _send(env, [{"name": "after-the-list", "send": "now"}])

    assert _wait_for_heartbeat("after-the-list", worker)
    assert [p.name for p in (var_dir / "celery" / "broken").iterdir()] == [f"0000_list.{QUEUE_FILE}"]
    assert "does not hold a message object" in worker.log()
