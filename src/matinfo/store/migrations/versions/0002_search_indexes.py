"""search indexes: materials (nelements, substance_id), properties (quantity, value, material_id)

Covering indexes for the search plans of ``matinfo.store.search``: a page of substances with ``nelements = n``
walks ``(nelements, substance_id)`` in substance order and stops when the page is full, and a property range
gives its materials from the index alone.  They replace the single-purpose ``(nelements)`` and
``(quantity, value)`` indexes, so an import maintains as many indexes as before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:25:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index("ix_materials_nelements")
        batch_op.create_index("ix_materials_nelements_substance", ["nelements", "substance_id"], unique=False)
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index("ix_properties_quantity_value")
        batch_op.create_index(
            "ix_properties_quantity_value_material", ["quantity", "value", "material_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("properties", schema=None) as batch_op:
        batch_op.drop_index("ix_properties_quantity_value_material")
        batch_op.create_index("ix_properties_quantity_value", ["quantity", "value"], unique=False)
    with op.batch_alter_table("materials", schema=None) as batch_op:
        batch_op.drop_index("ix_materials_nelements_substance")
        batch_op.create_index("ix_materials_nelements", ["nelements"], unique=False)
