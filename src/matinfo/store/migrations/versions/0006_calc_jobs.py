"""calculation jobs: calc_jobs (queued -> running -> done | failed, leases, results)

The queue of :mod:`matinfo.calc`: one row per calculation spec, identified by the SHA-256 of engine, task,
parameters and structure (``key``, unique: submitting the same spec twice gives the same job).  A worker owns a
running job while its lease (``claimed_by``, ``lease_expires_at``) is alive; an expired lease means the worker
died and the job is claimed again.  The result and the state change are written in one transaction, together
with the published properties (``material_id``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calc_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=50), nullable=False),
        sa.Column("task", sa.String(length=20), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("parameter_hash", sa.String(length=64), nullable=False),
        sa.Column("structure_key", sa.String(length=64), nullable=False),
        sa.Column("cell", sa.JSON(), nullable=False),
        sa.Column("formula", sa.String(length=200), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("structure_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("requires", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("workflow", sa.JSON(), nullable=True),
        sa.Column("tag", sa.String(length=100), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["structure_id"], ["structures.id"]),
        sa.ForeignKeyConstraint(["material_id"], ["materials.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("calc_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calc_jobs_parameter_hash"), ["parameter_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_calc_jobs_structure_key"), ["structure_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_calc_jobs_formula"), ["formula"], unique=False)
        batch_op.create_index(batch_op.f("ix_calc_jobs_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_calc_jobs_tag"), ["tag"], unique=False)


def downgrade() -> None:
    op.drop_table("calc_jobs")
