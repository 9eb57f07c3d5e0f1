"""Bearer tokens (api.models.ApiToken) for scripts; the browser uses its session with CSRF."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.models import ApiToken


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer crm_<key>_<secret>``."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_("Send the token as: Authorization: Bearer <token>."))
        token = ApiToken.find(header[1].decode("latin-1"))
        if token is None:
            raise AuthenticationFailed(_("Unknown or revoked token."))
        token.touch()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
