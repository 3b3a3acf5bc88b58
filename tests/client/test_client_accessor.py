"""The ``df.mammoth`` accessor acts on a filtered listing's batches in their dataset."""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

from mammoth_pandas.errors import MammothError, MammothInputError
from mammoth_pandas.jobs import Job
from mammoth_pandas.sandbox import DEMO, Sandbox

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers


def states(client, ids) -> list[str]:
    return list(client.batches.list(WS, PR, DS, id=ids).state)


def test_filter_then_act(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS)
    small = df[(df.row_count <= df.row_count.min() + 2) & (df.state == "active")]
    assert len(small) >= 2
    ids = [int(i) for i in small.index]
    job = small.mammoth.suspend()
    assert isinstance(job, Job)
    assert job.succeeded
    assert states(client, ids) == ["suspended"] * len(ids)
    assert small.mammoth.restore().succeeded
    assert states(client, ids) == ["active"] * len(ids)


def test_origin_survives_copies_pickles_and_reset_index(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS)
    target = df[df.state == "active"].head(1)
    variants = [
        target.copy(),
        copy.deepcopy(target),
        pickle.loads(pickle.dumps(target)),
        target.reset_index(),
        target[["name", "row_count"]],
        target.sort_values("created_at"),
    ]
    for variant in variants:
        assert variant.mammoth.origin == target.attrs["mammoth"]
        assert variant.mammoth.ids() == [int(target.index[0])]
    assert variants[2].mammoth.delete().succeeded  # the pickled copy still reaches its client
    assert int(target.index[0]) not in client.batches.list(WS, PR, DS).index


def test_delete_the_seed_way(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS)
    fewest = df.row_count.min()
    doomed = df[df.row_count == fewest]
    job = doomed.mammoth.delete()
    assert job.succeeded
    after = client.batches.list(WS, PR, DS)
    assert not set(doomed.index) & set(after.index)
    assert len(after) == len(df) - len(doomed)


def test_several_datasets_get_one_job_each(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    both = client.batches.list_many([(WS, PR, DEMO.customers), (WS, PR, DEMO.orders)])
    pick = both[both.state == "active"].groupby("dataset_id").head(1)
    jobs = pick.mammoth.suspend()
    assert isinstance(jobs, list)
    assert len(jobs) == 2
    assert all(j.succeeded for j in jobs)
    for (_, row), batch_id in zip(pick.iterrows(), pick.index, strict=True):
        assert (
            client.batches.get(WS, PR, int(row.dataset_id), int(batch_id))["state"] == "suspended"
        )


def test_refresh_lists_the_same_batches_again(client) -> None:
    df = client.batches.list(WS, PR, DS).head(3)
    again = df.mammoth.refresh()
    pd.testing.assert_frame_equal(again, df, check_dtype=False, check_categorical=False)
    assert again.attrs == df.attrs


def test_a_frame_without_origin_says_so() -> None:
    with pytest.raises(MammothInputError, match="which dataset"):
        pd.DataFrame({"name": ["x"]}, index=pd.Index([1], name="id")).mammoth.delete()


def test_an_empty_selection_is_refused_before_any_request(recording) -> None:
    client, session = recording
    df = client.batches.list(WS, PR, DS)
    sent = len(session.sent)
    with pytest.raises(MammothInputError, match="no batches"):
        df[df.row_count < 0].mammoth.delete()
    assert len(session.sent) == sent


def test_a_closed_client_is_reported(sandbox: Sandbox) -> None:
    client = sandbox.client()
    df = client.batches.list(WS, PR, DS, limit=2)
    client.close()
    with pytest.raises(MammothInputError, match="closed"):
        df.mammoth.suspend()


def test_the_readme_idiom_on_a_modified_copy(fresh_sandbox: Sandbox) -> None:
    """``df[df.row_count == 0].mammoth.delete()`` after copying and changing the frame."""
    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS).copy()
    chosen = [int(i) for i in df[df.state == "active"].index[:2]]
    df.loc[chosen, "row_count"] = 0  # as if these batches were empty
    job = df[df.row_count == 0].mammoth.delete()
    assert job.succeeded
    assert not set(chosen) & set(client.batches.list(WS, PR, DS).index)


def test_the_accessor_logs_its_actions_in_history(fresh_sandbox: Sandbox) -> None:
    from mammoth_pandas.history import HISTORY_COLUMNS

    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS)
    target = df[df.state == "active"].head(2)
    ids = tuple(int(i) for i in target.index)
    before = len(target.mammoth.history)
    job = target.mammoth.suspend()
    target.mammoth.restore(wait=False).wait(60)
    history = df.mammoth.history  # one log for the session, seen from any frame
    assert list(history.columns) == list(HISTORY_COLUMNS)
    assert len(history) == before + 2
    first, second = history.iloc[-2], history.iloc[-1]
    assert (first.action, first.ids, first.job, first.outcome) == (
        "suspend",
        ids,
        str(job.id),
        "succeeded",
    )
    assert (second.action, second.ids, second.outcome) == ("restore", ids, "submitted")
    assert isinstance(history["time"].dtype, pd.DatetimeTZDtype)
    assert str(history["time"].dtype.tz) == "UTC"


def test_a_refused_action_is_logged_as_failed(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    df = client.batches.list(WS, PR, DS)
    target = df.head(1)
    client.batches.remove(WS, PR, DS, [int(target.index[0])], wait=True)
    with pytest.raises(MammothError):
        target.mammoth.suspend()
    last = df.mammoth.history.iloc[-1]
    assert (last.action, last.ids, last.outcome) == ("suspend", (int(target.index[0]),), "failed")
    assert last.message
