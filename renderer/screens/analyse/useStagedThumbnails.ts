import { type RefObject, useCallback, useEffect, useRef, useState } from 'react';
import type { StagedInput, StagedThumbnail } from '../../../electron/contract';
import { call } from '../../ipc/call';

/** The core's limit per request. */
const PAGE = 48;
/** Items this close to the list's visible edge count as visible, so a short scroll finds them ready. */
const MARGIN = '48px';

/** Whether an entry has something to preview: a checked photo, or a checked folder with photos. */
function previewable(item: StagedInput | undefined): boolean {
  return item !== undefined && item.photoCount !== null && item.photoCount > 0;
}

export type ThumbnailState = StagedThumbnail | 'loading' | undefined;

/**
 * Previews of the staged entries the list shows, asked from the core a page at
 * a time (`analysis.getStagedThumbnails`) as they scroll into view; never for
 * entries the person cannot see. Items carry `data-path`; `listRef` is the
 * scrolling list.
 */
export function useStagedThumbnails(listRef: RefObject<HTMLElement | null>, staged: readonly StagedInput[]): (path: string) => ThumbnailState {
  const [thumbnails, setThumbnails] = useState<ReadonlyMap<string, StagedThumbnail | 'loading'>>(() => new Map());
  const byPath = useRef(new Map<string, StagedInput>());
  const visible = useRef(new Set<string>());
  const asked = useRef(new Set<string>());
  const queue = useRef(new Set<string>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const mounted = useRef(true);

  const flush = useCallback(() => {
    timer.current = null;
    const paths = [...queue.current];
    queue.current.clear();
    for (let i = 0; i < paths.length; i += PAGE) {
      const page = paths.slice(i, i + PAGE);
      call('analysis.getStagedThumbnails', { paths: page }).then(
        ({ thumbnails: got }) => {
          if (!mounted.current) return;
          setThumbnails((old) => {
            const next = new Map(old);
            for (const t of got) if (byPath.current.has(t.path)) next.set(t.path, t);
            return next;
          });
        },
        () => {
          // Unstaged meanwhile (refused), or the core is unreachable: no preview, and asked again if it scrolls back into view.
          if (!mounted.current) return;
          for (const path of page) asked.current.delete(path);
          setThumbnails((old) => {
            const next = new Map(old);
            for (const path of page) next.delete(path);
            return next;
          });
        },
      );
    }
  }, []);

  const want = useCallback(
    (path: string) => {
      if (asked.current.has(path) || !previewable(byPath.current.get(path))) return;
      asked.current.add(path);
      queue.current.add(path);
      setThumbnails((old) => new Map(old).set(path, 'loading'));
      timer.current ??= setTimeout(flush, 30);
    },
    [flush],
  );

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      if (timer.current) clearTimeout(timer.current);
    };
  }, []);

  // What is staged now: forget the rest, and ask for visible entries whose check has just finished.
  useEffect(() => {
    byPath.current = new Map(staged.map((s) => [s.path, s]));
    for (const path of [...asked.current]) if (!byPath.current.has(path)) asked.current.delete(path);
    setThumbnails((old) => {
      if ([...old.keys()].every((path) => byPath.current.has(path))) return old;
      return new Map([...old].filter(([path]) => byPath.current.has(path)));
    });
    for (const path of visible.current) want(path);
  }, [staged, want]);

  // Which entries are in view; without IntersectionObserver every entry counts as visible.
  const pathsKey = staged.map((s) => s.path).join('\0');
  useEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const items = [...list.querySelectorAll<HTMLElement>('[data-path]')];
    const inView = visible.current;
    if (typeof IntersectionObserver === 'undefined') {
      for (const item of items) {
        visible.current.add(item.dataset.path!);
        want(item.dataset.path!);
      }
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const path = (entry.target as HTMLElement).dataset.path!;
          if (entry.isIntersecting) {
            visible.current.add(path);
            want(path);
          } else visible.current.delete(path);
        }
      },
      { root: list, rootMargin: MARGIN },
    );
    for (const item of items) observer.observe(item);
    return () => {
      observer.disconnect();
      inView.clear();
    };
  }, [listRef, pathsKey, want]);

  return useCallback((path: string) => thumbnails.get(path), [thumbnails]);
}
