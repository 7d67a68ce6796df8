"""The corpus schema (tests/corpus/schema.sql), mapped as Django models that Django does not manage."""

from django.db import models


class Customer(models.Model):
    id = models.BigIntegerField(primary_key=True)
    name = models.TextField()
    email = models.TextField()

    class Meta:
        managed = False
        db_table = "customers"


class Order(models.Model):
    id = models.BigIntegerField(primary_key=True)
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_constraint=False)
    customer_email = models.TextField()
    status = models.TextField()
    total_cents = models.IntegerField()
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "orders"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.DO_NOTHING, related_name="items")
    sku = models.TextField()
    quantity = models.IntegerField()
    price_cents = models.IntegerField()

    class Meta:
        managed = False
        db_table = "order_items"


class Setting(models.Model):
    key = models.TextField(primary_key=True)
    value = models.TextField()

    class Meta:
        managed = False
        db_table = "settings"


class Event(models.Model):
    kind = models.TextField()
    payload = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "events"


class Product(models.Model):
    id = models.IntegerField(primary_key=True)
    category = models.TextField()
    name = models.TextField()
    description = models.TextField()
    price_cents = models.IntegerField()

    class Meta:
        managed = False
        db_table = "products"
