import { useEffect, useState } from 'preact/hooks';
import type { DashboardStore, Topic } from './store.js';

/** Re-renders the calling component whenever the store announces one of `topics`. */
export function useTopics(store: DashboardStore, ...topics: Topic[]): void {
  const [, setVersion] = useState(0);
  const key = topics.join(',');
  useEffect(() => {
    const rerender = () => setVersion((version) => version + 1);
    const offs = key.split(',').map((topic) => store.on(topic as Topic, rerender));
    return () => offs.forEach((off) => off());
  }, [store, key]);
}
