"""One APIRouter per resource; the app includes them in the order it matches them."""
