from .navigation import nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    items = nav_items_for(user)
    path = request.path
    return {
        "nav_items": [
            {"label": item.label, "url": item.url, "current": path == item.url or path.startswith(item.url + "/")}
            for item in items
        ]
    }
