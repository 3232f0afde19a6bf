"""Grids: creating them, their heads, assigning deputies; the list stays one query at any size.
Callers commit; every change goes to the town's log."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from ..audit.services import record_town
from ..deputies.models import Deputy, DeputyStatus
from ..extensions import db
from .models import Grid, GridHead, GridKind, grid_deputies


class GridError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def create_grid(*, actor, data: dict[str, Any]) -> Grid:
    exists = db.session.scalar(select(Grid.id).where(Grid.community == data["community"], Grid.name == data["name"]))
    if exists:
        raise GridError(_l("%(community)s already has a grid called %(name)s.", community=data["community"],
                           name=data["name"]), "name")
    grid = Grid(kind=data["kind"], community=data["community"], name=data["name"])
    db.session.add(grid)
    db.session.flush()
    record_town("grid.create", actor=actor, target=f"{grid.community} {grid.name} #{grid.id}",
                details={"kind": grid.kind.value})
    return grid


def add_head(grid: Grid, *, actor, data: dict[str, Any]) -> GridHead:
    head = GridHead(grid=grid, name=data["name"], phone=data.get("phone"))
    db.session.add(head)
    db.session.flush()
    record_town("grid.head_add", actor=actor, target=f"{grid.community} {grid.name} #{grid.id}",
                details={"head": head.name, "phone": head.phone})
    return head


def remove_head(head: GridHead, *, actor) -> None:
    grid = head.grid
    record_town("grid.head_remove", actor=actor, target=f"{grid.community} {grid.name} #{grid.id}",
                details={"head": head.name, "phone": head.phone})
    db.session.delete(head)


def assign_deputy(grid: Grid, deputy: Deputy, *, actor) -> bool:
    """Assign a serving deputy to a grid. Idempotent: returns whether anything changed."""
    if deputy.status != DeputyStatus.serving:
        raise GridError(_l("%(name)s has left and cannot take on a grid.", name=deputy.name), "deputy_id")
    if deputy in grid.deputies:
        return False
    grid.deputies.append(deputy)
    record_town("grid.assign", actor=actor, target=f"{grid.community} {grid.name} #{grid.id}",
                details={"deputy": f"{deputy.name} #{deputy.id}"})
    return True


def unassign_deputy(grid: Grid, deputy: Deputy, *, actor) -> bool:
    if deputy not in grid.deputies:
        return False
    grid.deputies.remove(deputy)
    record_town("grid.unassign", actor=actor, target=f"{grid.community} {grid.name} #{grid.id}",
                details={"deputy": f"{deputy.name} #{deputy.id}"})
    return True


def grid_rows(*, kind: str | None = None, community: str | None = None) -> Select:
    """One row per grid with its head count and its deputies' names, in one query."""
    heads = select(GridHead.grid_id, func.count().label("n")).group_by(GridHead.grid_id).subquery()
    names = (select(grid_deputies.c.grid_id, func.string_agg(Deputy.name, "、").label("names"))
             .join(Deputy, Deputy.id == grid_deputies.c.deputy_id).group_by(grid_deputies.c.grid_id).subquery())
    query = (select(Grid, func.coalesce(heads.c.n, 0).label("heads"), names.c.names)
             .outerjoin(heads, heads.c.grid_id == Grid.id).outerjoin(names, names.c.grid_id == Grid.id))
    if kind in GridKind.__members__:
        query = query.where(Grid.kind == GridKind(kind))
    if community:
        query = query.where(Grid.community == community)
    return query.order_by(Grid.community, Grid.kind, Grid.id)


def community_counts() -> list[tuple]:
    """Per community: residential grids, their heads, shop grids, their heads."""
    heads = select(GridHead.grid_id, func.count().label("n")).group_by(GridHead.grid_id).subquery()
    res, shop = Grid.kind == GridKind.residential, Grid.kind == GridKind.shop
    return db.session.execute(
        select(Grid.community,
               func.count().filter(res), func.coalesce(func.sum(heads.c.n).filter(res), 0),
               func.count().filter(shop), func.coalesce(func.sum(heads.c.n).filter(shop), 0))
        .outerjoin(heads, heads.c.grid_id == Grid.id).group_by(Grid.community).order_by(Grid.community)
    ).all()
