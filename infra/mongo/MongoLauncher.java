import java.util.List;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Runs mongo-java-server (a MongoDB wire-protocol server) as the platform's local document
 * store, with two changes to the stock server:
 * - it reports MongoDB 4.4 (wire version 9): the stock version says wire 8, which the
 *   Node.js driver 7 refuses;
 * - a filter with `_id` plus other fields (the version-guarded upsert
 *   `{_id, version: {$lt: n}}`) is served from the `_id` index instead of a full scan.
 *
 * Usage: java -cp "libs/*" MongoLauncher.java (h2 FILE | memory) PORT
 */
public final class MongoLauncher {

    /** MongoDB 4.4, wire version 9: the lowest the Node.js driver 7 accepts. */
    static final class Mongo44 implements MongoVersion {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    }

    /**
     * The stock server uses the `_id` index only for a filter that is exactly `{_id: v}` (or
     * `{_id: {$in: [...]}}`). For a filter with more fields this returns the positions of the
     * documents its `{_id: ...}` part selects, when the `_id` index can answer it (null
     * otherwise): the collection then applies the full filter to those documents only, which
     * gives the same result as a scan. Both backends' collections call it, each with its own
     * kind of position.
     */
    static <P> Iterable<P> idPositions(Document query, String idField, List<Index<P>> indexes) {
        if (idField == null || query.size() < 2 || !query.containsKey(idField)) {
            return null;
        }
        Document idQuery = new Document(idField, query.get(idField));
        for (Index<P> index : indexes) {
            List<IndexKey> keys = index.getKeys();
            if (keys.size() == 1 && keys.get(0).getKey().equals(idField) && index.canHandle(idQuery)) {
                return index.getPositions(idQuery);
            }
        }
        return null;
    }

    // --- H2 backend (a file that persists across restarts) ---

    /**
     * H2Database keeps its MVStore private and opens collections from its own constructor,
     * before a subclass could keep a reference; a process opens exactly one store, so the
     * subclasses share it through this field.
     */
    static MVStore store;

    static final class IdFirstH2Collection extends H2Collection {
        IdFirstH2Collection(MongoDatabase database, String name, CollectionOptions options,
                            MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursors) {
            super(database, name, options, dataMap, metaMap, cursors);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            Iterable<Object> positions = idPositions(query, getIdField(), getIndexes());
            return positions == null
                ? super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector)
                : matchDocuments(query, positions, orderBy, skip, limit, batchSize, fieldSelector);
        }
    }

    static final class IdFirstH2Database extends H2Database {
        IdFirstH2Database(String name, CursorRegistry cursors) {
            super(name, store, cursors);
        }

        // Same maps as H2Database.openOrCreateCollection (its prefixes are package-private).
        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> dataMap = store.openMap("databases." + fullName);
            MVMap<String, Object> metaMap = store.openMap("meta." + fullName);
            return new IdFirstH2Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }
    }

    static final class IdFirstH2Backend extends H2Backend {
        IdFirstH2Backend(MVStore mvStore) {
            super(mvStore);
        }

        @Override
        protected MongoDatabase openOrCreateDatabase(String databaseName) {
            return new IdFirstH2Database(databaseName, getCursorRegistry());
        }
    }

    // --- memory backend (throw-away runs) ---

    static final class IdFirstMemoryCollection extends MemoryCollection {
        IdFirstMemoryCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
            super(database, name, options, cursors);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
                                             Document fieldSelector) {
            Iterable<Integer> positions = idPositions(query, getIdField(), getIndexes());
            return positions == null
                ? super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector)
                : matchDocuments(query, positions, orderBy, skip, limit, batchSize, fieldSelector);
        }
    }

    static final class IdFirstMemoryDatabase extends MemoryDatabase {
        IdFirstMemoryDatabase(String name, CursorRegistry cursors) {
            super(name, cursors);
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new IdFirstMemoryCollection(this, collectionName, options, cursorRegistry);
        }
    }

    static final class IdFirstMemoryBackend extends MemoryBackend {
        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
            return new IdFirstMemoryDatabase(databaseName, getCursorRegistry());
        }
    }

    public static void main(String[] args) {
        boolean h2 = args.length == 3 && args[0].equals("h2");
        boolean memory = args.length == 2 && args[0].equals("memory");
        if (!h2 && !memory) {
            System.err.println("usage: MongoLauncher (h2 FILE | memory) PORT");
            System.exit(2);
        }
        try {
            start(h2 ? args[1] : null, Integer.parseInt(args[args.length - 1]));
        } catch (Exception e) {
            // E.g. the port is taken (netty rethrows the checked BindException unchecked, and
            // MongoServer then skips its own cleanup) or the H2 file is locked by another
            // process: exit now, since netty's threads would keep a half-started JVM alive.
            e.printStackTrace();
            System.err.println("mongo-java-server failed to start: " + e); // last line: the log's tail shows it
            System.exit(1);
        }
    }

    private static void start(String h2File, int port) {
        MongoBackend backend;
        if (h2File != null) {
            // One file, locked by this process.
            store = MVStore.open(h2File);
            backend = new IdFirstH2Backend(store);
        } else {
            backend = new IdFirstMemoryBackend();
        }
        backend.version(new Mongo44());

        MongoServer server = new MongoServer(backend);
        server.bind("127.0.0.1", port);
        // SIGTERM runs this hook: closing the clients first keeps the shutdown short, and
        // closing the backend commits and closes the H2 file.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            System.out.println("mongo-java-server stopped");
        }, "shutdown"));
        System.out.println("mongo-java-server ready on 127.0.0.1:" + port + " ("
            + (h2File != null ? "h2 " + h2File : "memory") + ", MongoDB 4.4 / wire 9)");
    }
}
