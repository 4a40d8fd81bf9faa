// orders — a small order-lookup HTTP service for the gc-stall lab.
//
// It keeps the most recent orders in an in-memory LRU cache (the "hot set" that
// the storefront reads), imports new orders in batches from upstream, and answers
// lookups. The cache is large and full of small objects, and every import evicts
// the oldest orders: exactly the pattern that fills the old generation with
// garbage and sooner or later forces a full collection of the whole heap.
//
// Endpoints (HTTP/1.1 on 127.0.0.1:8080, keep-alive):
//   GET  /health               200 "ok" once the cache is warm, 503 before
//   GET  /orders/latest        id of the newest order
//   GET  /orders/<id>          one order, 404 when it has been evicted
//   POST /orders/import?count=N  import N new orders (evicts the oldest)
//   GET  /stats                counters: imported, cached, lookups, uptime
//
// The JVM flags are not set here: they come from /etc/orders/jvm.options (see orderctl).
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public final class OrderService {
    /** Orders kept in memory: the storefront's hot set. Fewer would send lookups to the database. */
    static final int CACHE_ORDERS = 350_000;
    /** Reference data, loaded once at start-up and never changed: catalogue, pick slots, promotions, customers. */
    static final int PRODUCTS = 400_000, PICK_SLOTS = 300_000, CUSTOMERS = 250_000, PROMOTIONS = 250_000;
    /** Line items per order: a uniform draw from [MIN_ITEMS, MAX_ITEMS]. */
    static final int MIN_ITEMS = 20, MAX_ITEMS = 40;
    static final int PORT = 8080;
    static final int MAX_IMPORT_BATCH = 2000;

    static final class Product {
        final String sku;
        final String title;
        final int priceCents;
        Product(String sku, String title, int priceCents) { this.sku = sku; this.title = title; this.priceCents = priceCents; }
    }

    /** A shelf location in one of the warehouses; the picker took the item from there. */
    static final class PickSlot {
        final String warehouse;
        final String bin;
        PickSlot(String warehouse, String bin) { this.warehouse = warehouse; this.bin = bin; }
    }

    /** A personalised coupon; an item bought with one keeps a reference to it. */
    static final class Promotion {
        final String code;
        final int percentOff;
        Promotion(String code, int percentOff) { this.code = code; this.percentOff = percentOff; }
    }

    static final class Customer {
        final String id;
        final String shipTo;
        Customer(String id, String shipTo) { this.id = id; this.shipTo = shipTo; }
    }

    /**
     * One line of an order. It points at a product, a pick slot and a promotion, each chosen at
     * random from a large table, so the references of the cached orders go all over the heap: a
     * full collection has to follow every one of them.
     */
    static final class LineItem {
        final Product product;
        final PickSlot slot;
        final Promotion promotion;
        final int quantity;
        final int priceCents;
        LineItem(Product product, PickSlot slot, Promotion promotion, int quantity, int priceCents) {
            this.product = product; this.slot = slot; this.promotion = promotion; this.quantity = quantity; this.priceCents = priceCents;
        }
    }

    static final class Order {
        final long id;
        final long createdMillis;
        final Customer customer;
        final LineItem[] items;
        Order(long id, long createdMillis, Customer customer, LineItem[] items) {
            this.id = id; this.createdMillis = createdMillis; this.customer = customer; this.items = items;
        }
        long totalCents() {
            long t = 0;
            for (LineItem li : items) t += li.priceCents * li.quantity;
            return t;
        }
    }

    /** Least-recently-inserted eviction; one lock is plenty for this request rate. */
    static final class OrderCache {
        private final LinkedHashMap<Long, Order> map;
        OrderCache(int capacity) {
            map = new LinkedHashMap<>(capacity * 4 / 3 + 16, 0.75f, false) {
                @Override protected boolean removeEldestEntry(Map.Entry<Long, Order> eldest) { return size() > capacity; }
            };
        }
        synchronized void put(Order o) { map.put(o.id, o); }
        synchronized Order get(long id) { return map.get(id); }
        synchronized int size() { return map.size(); }
    }

    private static final String[] WORDS = {
        "steel", "kettle", "walnut", "desk", "lamp", "linen", "towel", "copper", "pan", "oak", "shelf",
        "wool", "blanket", "glass", "vase", "cotton", "shirt", "leather", "belt", "ceramic", "mug",
        "bamboo", "tray", "cast-iron", "skillet", "silk", "scarf", "maple", "stool", "brass", "hook",
    };
    private static final String[] STREETS = { "Harbour Rd", "Mill Lane", "Station St", "Kingsway", "Elm Ave", "Quay St" };
    private static final String[] CITIES = { "Leeds", "Porto", "Lyon", "Graz", "Aarhus", "Gdansk", "Turku", "Bilbao" };

    final Product[] catalogue = new Product[PRODUCTS];
    final Customer[] customers = new Customer[CUSTOMERS];
    final PickSlot[] slots = new PickSlot[PICK_SLOTS];
    final Promotion[] promotions = new Promotion[PROMOTIONS];
    final OrderCache cache = new OrderCache(CACHE_ORDERS);
    final AtomicLong nextId = new AtomicLong(1);
    final AtomicLong imported = new AtomicLong();
    final AtomicLong lookups = new AtomicLong();
    final AtomicLong confirmedBytes = new AtomicLong();
    final long startedMillis = System.currentTimeMillis();
    volatile boolean warm;

    static String word(ThreadLocalRandom r) { return WORDS[r.nextInt(WORDS.length)]; }

    void loadReferenceData() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < PRODUCTS; i++) {
            String title = word(r) + ' ' + word(r) + ' ' + word(r) + ", size " + (1 + r.nextInt(12));
            catalogue[i] = new Product("SKU-" + (1_000_000 + i), title, 99 + r.nextInt(20_000));
        }
        for (int i = 0; i < PICK_SLOTS; i++) slots[i] = new PickSlot("WH-" + CITIES[i % CITIES.length], "aisle " + (i / 1000) + " bin " + (i % 1000));
        for (int i = 0; i < PROMOTIONS; i++) promotions[i] = new Promotion("PROMO-" + Integer.toString(1_000_000 + i, 36), 5 + r.nextInt(30));
        for (int i = 0; i < CUSTOMERS; i++) {
            String shipTo = (1 + r.nextInt(300)) + " " + STREETS[r.nextInt(STREETS.length)] + ", " + CITIES[r.nextInt(CITIES.length)];
            customers[i] = new Customer("C" + (10_000_000 + i), shipTo);
        }
    }

    /** A new order for a random customer, with items drawn at random from the whole catalogue. */
    Order newOrder(ThreadLocalRandom r) {
        long id = nextId.getAndIncrement();
        int n = MIN_ITEMS + r.nextInt(MAX_ITEMS - MIN_ITEMS + 1);
        LineItem[] items = new LineItem[n];
        for (int i = 0; i < n; i++) {
            Product p = catalogue[r.nextInt(PRODUCTS)];
            Promotion promo = promotions[r.nextInt(PROMOTIONS)];
            int price = p.priceCents * (100 - promo.percentOff) / 100;
            items[i] = new LineItem(p, slots[r.nextInt(PICK_SLOTS)], promo, 1 + r.nextInt(5), price);
        }
        return new Order(id, System.currentTimeMillis(), customers[r.nextInt(CUSTOMERS)], items);
    }

    /**
     * Imports a batch: each order is cached and a confirmation message is built for upstream.
     * The message is short-lived garbage (it would go to a message bus); the order itself stays
     * in the cache until it is evicted, so it survives into the old generation.
     */
    void importOrders(int count) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            Order o = newOrder(r);
            cache.put(o);
            bytes += confirmation(o).length;
        }
        imported.addAndGet(count);
        confirmedBytes.addAndGet(bytes);
    }

    /** The binary confirmation message: a header and one fixed-size record per line item. */
    static byte[] confirmation(Order o) {
        ByteBuffer b = ByteBuffer.allocate(64 + 32 * o.items.length);
        b.putLong(o.id).putLong(o.createdMillis).putInt(o.items.length).putLong(o.totalCents());
        for (LineItem li : o.items) b.putInt(li.quantity).putInt(li.priceCents).putInt(li.product.sku.hashCode()).putInt(li.slot.bin.hashCode());
        return b.array();
    }

    static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) { os.write(b); }
    }

    static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) { in.transferTo(OutputStream.nullOutputStream()); }
    }

    void handle(HttpExchange ex) throws IOException {
        try {
            drain(ex);
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/health")) {
                reply(ex, warm ? 200 : 503, warm ? "ok\n" : "warming\n");
            } else if (path.equals("/stats")) {
                long up = System.currentTimeMillis() - startedMillis;
                reply(ex, 200, "imported " + imported.get() + "\ncached " + cache.size() + "\nlookups " + lookups.get() + "\nconfirmed_bytes " + confirmedBytes.get()
                        + "\nuptime_ms " + up + "\nwarm " + warm + "\n");
            } else if (path.equals("/orders/latest")) {
                reply(ex, 200, (nextId.get() - 1) + "\n");
            } else if (path.equals("/orders/import") && method.equals("POST")) {
                if (!warm) { reply(ex, 503, "warming\n"); return; }
                int count = 100;
                String q = ex.getRequestURI().getQuery();
                if (q != null && q.startsWith("count=")) count = Integer.parseInt(q.substring(6));
                if (count < 1 || count > MAX_IMPORT_BATCH) { reply(ex, 400, "count must be 1.." + MAX_IMPORT_BATCH + "\n"); return; }
                importOrders(count);
                reply(ex, 200, "imported " + count + "\n");
            } else if (path.startsWith("/orders/") && method.equals("GET")) {
                long id;
                try { id = Long.parseLong(path.substring(8)); } catch (NumberFormatException e) { reply(ex, 400, "bad id\n"); return; }
                lookups.incrementAndGet();
                Order o = cache.get(id);
                if (o == null) { reply(ex, 404, "order " + id + " not cached\n"); return; }
                StringBuilder sb = new StringBuilder(256);
                sb.append("order ").append(o.id).append('\n').append("customer ").append(o.customer.id).append('\n')
                  .append("ship_to ").append(o.customer.shipTo).append('\n').append("items ").append(o.items.length).append('\n')
                  .append("total_cents ").append(o.totalCents()).append('\n');
                reply(ex, 200, sb.toString());
            } else {
                reply(ex, 404, "no such endpoint\n");
            }
        } catch (RuntimeException e) {
            reply(ex, 500, e + "\n");
        } finally {
            ex.close();
        }
    }

    public static void main(String[] args) throws Exception {
        OrderService svc = new OrderService();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", PORT), 256);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "http-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", svc::handle);
        server.setExecutor(pool);
        server.start();

        StringBuilder gcs = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) gcs.append(gcs.length() > 0 ? ", " : "").append(gc.getName());
        System.out.printf("orders: pid %d listening on 127.0.0.1:%d; max heap %d MiB; collectors: %s%n",
                ProcessHandle.current().pid(), PORT, Runtime.getRuntime().maxMemory() >> 20, gcs);

        // Load the catalogue and warm the cache, the way the real service loads them from its database.
        long t0 = System.nanoTime();
        svc.loadReferenceData();
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < CACHE_ORDERS; i++) svc.cache.put(svc.newOrder(r));
        svc.warm = true;
        System.out.printf("orders: cache warm: %d orders in %d ms%n", svc.cache.size(), (System.nanoTime() - t0) / 1_000_000);
        System.out.flush();
    }
}
