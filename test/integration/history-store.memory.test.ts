import { MemoryHistoryStore } from '../../sdk/backend/memory/history-store.ts';
import { historyStoreConformance } from './history-store.conformance.ts';

historyStoreConformance('memory', async () => ({ store: new MemoryHistoryStore(), close: async () => {} }));
