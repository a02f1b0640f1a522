"""search index: properties (material_id, quantity, value) replaces (material_id)

Searches test "this material has a property of this quantity in this range" once per candidate material, as a
correlated ``EXISTS``; with ``(material_id, quantity, value)`` that is one probe of a covering index instead of
an index probe plus one table read per property of the material.  The index keeps ``material_id`` first, so it
serves every query the single-column index served, and an import maintains as many indexes as before.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:10:00
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index("ix_properties_material_id")
        batch_op.create_index(
            "ix_properties_material_quantity_value", ["material_id", "quantity", "value"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index("ix_properties_material_quantity_value")
        batch_op.create_index("ix_properties_material_id", ["material_id"], unique=False)
