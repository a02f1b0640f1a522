"""literature curation: lit_documents, lit_records (draft -> reviewed -> published | rejected), lit_audit

Extracted statements wait in ``lit_records`` until an editor publishes them into materials and properties; the
documents they came from are identified by the SHA-256 of their content, so the same statement is never queued
twice from the same document (unique document + record key); every action is kept in ``lit_audit``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lit_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("doi", sa.String(length=255), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_sha256"),
    )
    with op.batch_alter_table("lit_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lit_documents_doi"), ["doi"], unique=False)

    op.create_table(
        "lit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("extractor", sa.String(length=200), nullable=True),
        sa.Column("extracted", sa.JSON(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("material_id", sa.Integer(), nullable=True),
        sa.Column("property_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["lit_documents.id"]),
        sa.ForeignKeyConstraint(["material_id"], ["materials.id"]),
        sa.ForeignKeyConstraint(["property_id"], ["properties.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "record_key", name="uq_lit_records_key"),
    )
    with op.batch_alter_table("lit_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lit_records_status"), ["status"], unique=False)

    op.create_table(
        "lit_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["lit_records.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lit_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lit_audit_record_id"), ["record_id"], unique=False)


def downgrade() -> None:
    op.drop_table("lit_audit")
    op.drop_table("lit_records")
    op.drop_table("lit_documents")
