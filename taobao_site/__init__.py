"""Project package of the Taobao Village Registry: settings, URL routing and WSGI/ASGI entry points."""
