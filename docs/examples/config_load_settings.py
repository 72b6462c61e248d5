"""Load NCloud settings from the chain, see where each value came from, and sign with them."""

from ncp_config import ConfigError, load_settings, mask
from ncp_signing import Signer

# In a service you would call load_settings() with no arguments; here the environment is a
# mapping and the file sources are switched off, so the example runs anywhere.
environ = {
    "NCLOUD_ACCESS_KEY_ID": "AKIDEXAMPLE00001",
    "NCLOUD_SECRET_ACCESS_KEY": "example-secret",
    "NCLOUD_REGION": "SGN",
}
settings = load_settings(environ=environ, env_file=None, secrets_dir=None, config_file=None)

assert settings.mail_api_url == "https://mail.apigw.ntruss.com/api/v1-sgn"
assert settings.sources["region"] == "env NCLOUD_REGION"
assert mask(settings.access_key, secret=False) == "AKID********"
assert "example-secret" not in repr(settings)

headers = Signer(settings.credentials()).headers("GET", settings.mail_api_url + "/mails")
assert set(headers) == {
    "x-ncp-apigw-timestamp",
    "x-ncp-iam-access-key",
    "x-ncp-apigw-signature-v2",
}

# Every failure is a ConfigError whose message names the problem and never the secret.
message = ""
try:
    load_settings(environ={**environ, "NCLOUD_SITE": "fin"}, env_file=None, config_file=None)
except ConfigError as error:
    message = str(error)
assert "not available on the fin site" in message
assert "example-secret" not in message
