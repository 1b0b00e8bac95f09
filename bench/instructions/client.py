"""One process of bench/instructions: signs the bench's people in with Django's test client and sends a page's
request `warm + count` times. Run by bench/instructions/run.py under callgrind, with the database in the environment.

    python bench/instructions/client.py STEP COUNT HUB_ID PRACTITIONER MANAGER
"""

import sys

import django

STEPS = ("queue", "referral_page", "sign_off_queue")
WARM = 10


def main():
    step, count, hub_id, practitioner, manager = sys.argv[1], int(sys.argv[2]), *sys.argv[3:6]
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from referrals.models import Referral

    def signed_in(username: str) -> Client:
        client = Client(HTTP_HOST="127.0.0.1")  # the bench settings allow only 127.0.0.1
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        if device := TOTPDevice.objects.filter(user=user, confirmed=True).first():  # the manager's second factor
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client

    newest_open = Referral.objects.filter(hub_id=hub_id).exclude(status="closed").order_by("-received_at").first()
    who, path = {
        "queue": (practitioner, f"/hubs/{hub_id}/queue/"),
        "referral_page": (practitioner, f"/hubs/{hub_id}/referrals/{newest_open.pk}/"),
        "sign_off_queue": (manager, f"/hubs/{hub_id}/sign-off/"),
    }[step]
    client = signed_in(who)
    for _ in range(WARM + count):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{step}: {response.status_code} from {path}")


if __name__ == "__main__":
    main()
