//! Django route forms, each in a small project written to a temporary directory:
//! `include()` nested two deep (module strings, imported urls modules, local pattern
//! lists, `re_path`, `urlpatterns +=`), views resolved through imports (not a same-named
//! view of another app), class-based and wrapped views, Django REST framework routers.
//! Each finding must land on the loop that causes it; a route or view that cannot be
//! resolved is "not found", never a guess.

mod locate_project;

use locate_project::{assert_at, assert_not_found, locate, project};
use perfhound_scan::locate::SourceIndex;

const DJANGO_ROOT_URLS: &str = r#"from django.urls import include, path

tools = [
    path("ping/", include("tools.urls")),
]

urlpatterns = [
    path("api/", include("api.urls")),
    path("tools/", include(tools)),
]
"#;

const DJANGO_API_URLS: &str = r#"from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from shop import urls as shop_urls

urlpatterns = [
    path("v1/", include(shop_urls)),
    re_path(r"^v2/", include(("shop.urls", "shop"), namespace="v2")),
    path("login/", auth_views.LoginView.as_view()),
]
"#;

const DJANGO_SHOP_URLS: &str = r#"from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views
from .views import OrderList

urlpatterns = [
    path("orders/", OrderList.as_view()),
    path("orders/<int:pk>/", views.order_detail),
]
urlpatterns += [
    path("orders/<int:pk>/items/", login_required(views.order_items)),
    path("orphans/", stray_view),
]
"#;

const DJANGO_SHOP_VIEWS: &str = r#"from django.http import JsonResponse
from django.views import View

from .models import Order, OrderItem


class OrderList(View):
    def get(self, request):
        out = []
        for o in Order.objects.all()[:30]:
            out.append(o.customer.name)
        return JsonResponse(out, safe=False)

    def post(self, request):
        for i in range(10):
            Order.objects.create(status="new")
        return JsonResponse({})


def order_detail(request, pk):
    order = Order.objects.get(pk=pk)
    lines = [OrderItem.objects.get(pk=i).sku for i in range(5)]
    return JsonResponse({"id": order.id, "lines": lines})


def order_items(request, pk):
    skus = []
    for i in range(5):
        skus.append(OrderItem.objects.filter(order_id=pk, line=i).first())
    return JsonResponse(skus, safe=False)
"#;

/// A decoy: the same view names in another app, doing other work.
const DJANGO_OTHER_VIEWS: &str = r#"from .models import OrderItem


def order_detail(request, pk):
    return OrderItem.objects.filter(order_id=pk).count()


def stray_view(request):
    for i in range(3):
        OrderItem.objects.get(pk=i)


def order_items(request, pk):
    return []
"#;

const DJANGO_LEGACY_VIEWS: &str = r#"from shop.models import OrderItem


def stray_view(request):
    return OrderItem.objects.count()
"#;

const DJANGO_TOOLS_URLS: &str = r#"from django.urls import path

from .views import ping

urlpatterns = [path("", ping)]
"#;

const DJANGO_TOOLS_VIEWS: &str = r#"import requests

SESSION = requests.Session()


def ping(request):
    return [SESSION.get(f"http://inventory/status/{n}").status_code for n in range(3)]
"#;

fn django() -> (tempfile::TempDir, SourceIndex) {
    project(&[
        ("proj/urls.py", DJANGO_ROOT_URLS),
        ("api/urls.py", DJANGO_API_URLS),
        ("shop/urls.py", DJANGO_SHOP_URLS),
        ("shop/views.py", DJANGO_SHOP_VIEWS),
        ("other/views.py", DJANGO_OTHER_VIEWS),
        ("legacy/views.py", DJANGO_LEGACY_VIEWS),
        ("tools/urls.py", DJANGO_TOOLS_URLS),
        ("tools/views.py", DJANGO_TOOLS_VIEWS),
    ])
}

#[test]
fn django_include_nests_prefixes_and_resolves_views_through_imports() {
    let (_dir, index) = django();
    let items = "SELECT \"order_items\".\"id\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s LIMIT 21";
    // api/ → v1/ (an imported urls module) → orders/<int:pk>/: views.order_detail of
    // shop/views.py, not the decoy of the same name in other/views.py.
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v1/orders/{pk}", items), "shop/views.py:22 (order_detail)");
    // The same urls module included a second time, by module string in a tuple, re_path.
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v2/orders/{pk}", items), "shop/views.py:22 (order_detail)");
    // `urlpatterns +=` and a wrapped view (login_required(views.order_items)).
    assert_at(
        locate(&index, "PH-TRACE001", "GET /api/v1/orders/{pk}/items", items),
        "shop/views.py:28-29 (order_items)",
    );
    // A pattern list of the same file, included by name; a view imported by name.
    assert_at(
        locate(&index, "PH-TRACE002", "GET /tools/ping", "GET http://inventory/status/{n}"),
        "tools/views.py:7 (ping)",
    );
}

#[test]
fn django_class_based_views_use_the_method_of_the_verb() {
    let (_dir, index) = django();
    let customers = "SELECT \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = %s LIMIT 21";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/v1/orders", customers), "shop/views.py:10-11 (get)");
    let insert = "INSERT INTO \"orders\" (\"status\") VALUES (%s) RETURNING \"orders\".\"id\"";
    assert_at(locate(&index, "PH-TRACE009", "POST /api/v1/orders", insert), "shop/views.py:15-16 (post)");
}

#[test]
fn django_routes_that_do_not_resolve_are_not_found() {
    let (_dir, index) = django();
    let items = "SELECT \"order_items\".\"id\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s";
    // shop/urls.py is only reachable under api/: its path alone is no route.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /orders/{pk}", items), "no route handler for GET /orders/{}");
    // A bare name neither defined nor imported in shop/urls.py, defined in two other apps.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/v1/orphans", items), "`stray_view` has 2 definitions");
    // A view of Django itself.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/login", items), "imported from outside the source");
}

const DRF_URLS: &str = r#"from django.urls import include, path
from rest_framework.routers import DefaultRouter

from orders import views

router = DefaultRouter()
router.register(r"orders", views.OrderViewSet, basename="order")

urlpatterns = [path("api/", include(router.urls))]
"#;

const DRF_VIEWS: &str = r#"from rest_framework import viewsets

from .models import Order, OrderItem


class CustomerViewSet(viewsets.ModelViewSet):
    def lines(self, pk):
        return OrderItem.objects.count()


class OrderViewSet(viewsets.ModelViewSet):
    def list(self, request):
        return [o.customer.name for o in Order.objects.all()]

    def retrieve(self, request, pk=None):
        return self.lines(pk)

    def lines(self, pk):
        return [OrderItem.objects.get(pk=i).sku for i in range(3)]
"#;

#[test]
fn drf_router_registers_list_and_detail_actions() {
    let (_dir, index) = project(&[("proj/urls.py", DRF_URLS), ("orders/views.py", DRF_VIEWS)]);
    let customers = "SELECT \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = %s";
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/", customers), "orders/views.py:13 (list)");
    let items = "SELECT \"order_items\".\"sku\" FROM \"order_items\" WHERE \"order_items\".\"id\" = %s";
    // `self.lines(pk)` is OrderViewSet's own `lines`, not CustomerViewSet's (defined first).
    assert_at(locate(&index, "PH-TRACE001", "GET /api/orders/{pk}/", items), "orders/views.py:19 (lines)");
    // The list action loads customers, not order items: the detail query is not there.
    assert_not_found(locate(&index, "PH-TRACE001", "GET /api/orders", items), "no query on order_items");
}
