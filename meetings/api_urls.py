from rest_framework.routers import DefaultRouter

from .api import MeetingViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("meetings", MeetingViewSet, basename="meeting")
urlpatterns = router.urls
