"""the request fingerprint of an order, for idempotency keys reused with another request

Revision ID: a7c4e2d9f1b3
Revises: eec40dcfb5aa
Create Date: 2026-12-03 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2d9f1b3'
down_revision = 'eec40dcfb5aa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_column('request_fingerprint')
