"""Local stand-in for the NCloud API Gateway and Cloud Outbound Mailer v1."""
