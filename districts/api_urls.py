from rest_framework.routers import DefaultRouter

from .api import SiteViewSet
from .api_agencies import AgencyViewSet

router = DefaultRouter()
router.register("sites", SiteViewSet, basename="site")
router.register("agencies", AgencyViewSet, basename="agency")
urlpatterns = router.urls
