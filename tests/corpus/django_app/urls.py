"""Routes of the Django corpus app (Django records them without the leading slash)."""

from django.urls import path

from shop import views

urlpatterns = [
    path("orders/recent-lazy", views.recent_lazy),
    path("orders/recent-eager", views.recent_eager),
    path("orders/items-lazy", views.items_lazy),
    path("orders/items-prefetched", views.items_prefetched),
    path("checkout/quote-repeated", views.quote_repeated),
    path("checkout/quote", views.quote),
    path("events/import-rowwise", views.import_rowwise),
    path("events/import-batch", views.import_batch),
    path("orders/by-email", views.by_email),
    path("orders/by-customer", views.by_customer),
    path("reports/status-counts-loop", views.status_counts_loop),
    path("reports/status-counts-grouped", views.status_counts_grouped),
    path("dashboard/serial", views.dashboard_serial),
    path("dashboard/parallel", views.dashboard_parallel),
    path("products/similar-quadratic", views.similar_quadratic),
    path("products/similar-linear", views.similar_linear),
]
