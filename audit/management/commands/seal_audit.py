from django.core.management.base import BaseCommand

from audit.services import seal


class Command(BaseCommand):
    help = "Seal every audit event whose transaction has certainly committed into hash-chained blocks."

    def handle(self, *args, **options):
        blocks = seal()
        events = sum(b.event_count for b in blocks)
        self.stdout.write(f"sealed {events} events in {len(blocks)} blocks")
