"""Turn what a search was asked to leave out (exclusion sets, everything seen) into what the API
takes, just before the search starts: the ids inline when there are few, else a saved exclusion
list on the server — reused when the same entities already have one, created (and waited for
until ready) when not, within the server's cap of 20 active lists by deleting this app's own
oldest lists that no unfinished search still needs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import msgspec

from sixtyfour_tui.api.errors import ApiError, ConflictError, NotFoundError
from sixtyfour_tui.entities import api_exclusion_id
from sixtyfour_tui.jobs.records import Exclusions, JobRecord
from sixtyfour_tui.workspace.exclusions import ServerList, fingerprint
from sixtyfour_tui.workspace.store import Workspace

INLINE_LIMIT = 500
"""Up to this many ids travel inline with every request; more go into a saved list."""
SERVER_LIST_CAP = 20
READY_WAIT_SECONDS = 300.0
LIST_NAME_PREFIX = "sixtyfour-tui "


class ExclusionTrouble(Exception):
    """The exclusions could not be set up; the message says why and what to do."""


def wanted_ids(workspace: Workspace, job: JobRecord) -> list[str]:
    """Every entity the search should leave out, as the workspace knows them now."""
    exclusions = job.exclusions
    ids: dict[str, None] = dict.fromkeys(exclusions.entity_ids)
    if exclusions.set_ids:
        ids.update(dict.fromkeys(workspace.set_members(exclusions.set_ids)))
    if exclusions.seen:
        ids.update(dict.fromkeys(workspace.seen_entities(job.mode)))
    return [sent for entity in ids if (sent := api_exclusion_id(job.mode, entity))]


async def resolve(client: Any, workspace: Workspace, job: JobRecord, *, backend: str,
                  in_use: Iterable[str] = ()) -> Exclusions:
    """The job's exclusions in their API form (ids inline, or a ready saved list)."""
    exclusions = job.exclusions
    if exclusions.resolved:
        return exclusions
    ids = await asyncio.to_thread(wanted_ids, workspace, job)
    if len(ids) <= INLINE_LIMIT:
        return msgspec.structs.replace(exclusions, entity_ids=tuple(ids), count=len(ids))
    list_id = await server_list_for(client, workspace, job.mode, ids, backend=backend, in_use=in_use)
    return msgspec.structs.replace(exclusions, entity_ids=(), list_ids=(list_id,), count=len(ids))


async def server_list_for(client: Any, workspace: Workspace, mode: str, ids: list[str], *, backend: str,
                          in_use: Iterable[str] = ()) -> str:
    wanted = fingerprint(ids)
    name = LIST_NAME_PREFIX + wanted[:16]
    for known in await asyncio.to_thread(workspace.server_lists, backend):
        if known.fingerprint != wanted:
            continue
        try:
            found = await client.exclusion_list(known.list_id)
            if not (found.is_ready or found.is_failed):
                # Still being built (a start that was interrupted made it): wait for it rather
                # than build the same list twice.
                found = await _until_settled(client, known.list_id)
        except (NotFoundError, ExclusionTrouble):  # gone, or stuck: a new one is made
            await asyncio.to_thread(workspace.forget_server_list, known.list_id)
            continue
        if found.is_ready:
            return known.list_id
        # Failed: it can never be used, so it is forgotten here and a new one is made.
        await asyncio.to_thread(workspace.forget_server_list, known.list_id)
    entity_type = "person" if mode == "people" else "company"
    for attempt in range(2):
        await make_room(client, workspace, backend=backend, in_use=in_use)
        try:
            created = await client.create_exclusion_list(name=name, entity_type=entity_type, entity_ids=ids)
        except ConflictError:
            if attempt:
                raise ExclusionTrouble(
                    "The server already holds 20 active exclusion lists and none of them can be removed "
                    "by this app; delete some (they are not this app's) and try again.") from None
            continue
        except ApiError:
            created = await _created_before_the_answer_was_lost(client, name)
            if created is None:
                raise
        await asyncio.to_thread(workspace.record_server_list, ServerList(
            list_id=created.id, backend=backend, set_id=None, fingerprint=wanted, size=len(ids),
            status=created.status, created_at=time.time()))
        await _until_ready(client, created.id)
        return str(created.id)
    raise ExclusionTrouble("Could not create an exclusion list on the server.")


async def make_room(client: Any, workspace: Workspace, *, backend: str, in_use: Iterable[str] = ()) -> None:
    """Below the server's cap of active lists, deleting this app's oldest unneeded lists first."""
    active = [found for found in await client.exclusion_lists() if not found.is_failed]
    if len(active) < SERVER_LIST_CAP:
        return
    keep = set(in_use)
    ours = [known for known in await asyncio.to_thread(workspace.server_lists, backend) if known.list_id not in keep]
    on_server = {found.id for found in active}
    for known in ours:
        if len(active) < SERVER_LIST_CAP:
            return
        if known.list_id not in on_server:
            await asyncio.to_thread(workspace.forget_server_list, known.list_id)
            continue
        try:
            await client.delete_exclusion_list(known.list_id)
        except NotFoundError:
            pass
        await asyncio.to_thread(workspace.forget_server_list, known.list_id)
        active = [found for found in active if found.id != known.list_id]


async def _created_before_the_answer_was_lost(client: Any, name: str) -> Any:
    try:
        lists = await client.exclusion_lists()
    except ApiError:
        return None
    matches = [found for found in lists if found.name == name and not found.is_failed]
    return matches[-1] if matches else None


async def _until_ready(client: Any, list_id: str) -> None:
    found = await _until_settled(client, list_id)
    if found.is_failed:
        raise ExclusionTrouble(f"The server could not build the exclusion list: {found.error or found.status}")


async def _until_settled(client: Any, list_id: str) -> Any:
    """The list once it is ready or failed; ExclusionTrouble when it is neither within 5 minutes."""
    deadline = time.monotonic() + READY_WAIT_SECONDS
    pause = 0.2
    while True:
        found = await client.exclusion_list(list_id)
        if found.is_ready or found.is_failed:
            return found
        if time.monotonic() > deadline:
            raise ExclusionTrouble("The server's exclusion list was still not ready after 5 minutes.")
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 5.0)
