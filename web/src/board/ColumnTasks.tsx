// The cards of one column, windowed: only the cards in and near the column's visible part are in
// the page (plus the one being dragged), however long the column is. Each sits in an absolutely
// placed slot measured after it renders, so cards of any height scroll smoothly; the drag's own
// transform stays on the card inside its slot.
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef } from 'react';
import type { Member, Task } from '../api/types';
import { SortableCard } from './Card';

/** A card's height before it is measured (a title on one line, its marks below). */
const CARD_ESTIMATE = 76;
/** Cards kept in the page above and below the visible part. */
const OVERSCAN = 6;
const GAP = 8;

export interface ColumnScroller {
  /** Brings the card into the column's view (it may not be in the page yet). */
  scrollTo(taskId: string): boolean;
}

export function ColumnTasks({
  columnId,
  columnName,
  ids,
  tasks,
  membersById,
  onOpen,
  sorted,
  today,
  activeId,
  droppableRef,
  registerScroller,
  empty,
}: {
  columnId: string;
  columnName: string;
  ids: string[];
  tasks: Record<string, Task>;
  membersById: Map<string, Member>;
  onOpen: (id: string) => void;
  sorted: boolean;
  today: string;
  activeId: string | null;
  droppableRef: (el: HTMLElement | null) => void;
  registerScroller: (columnId: string, scroller: ColumnScroller | null) => void;
  empty: string | null;
}) {
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const activeIndex = activeId ? ids.indexOf(activeId) : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const r = defaultRangeExtractor(range);
      // The dragged card stays in the page while the column scrolls away from it.
      if (activeIndex >= 0 && !r.includes(activeIndex)) {
        r.push(activeIndex);
        r.sort((a, b) => a - b);
      }
      return r;
    },
    [activeIndex],
  );
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => CARD_ESTIMATE,
    getItemKey: (i) => ids[i] ?? i,
    overscan: OVERSCAN,
    gap: GAP,
    rangeExtractor,
    initialRect: { width: 264, height: 640 },
  });
  const slots = virtualizer.getVirtualItems();
  const shown = slots.map((s) => ids[s.index]!);

  const idsRef = useRef(ids);
  idsRef.current = ids;
  useEffect(() => {
    registerScroller(columnId, {
      scrollTo(taskId) {
        const i = idsRef.current.indexOf(taskId);
        if (i < 0) return false;
        virtualizer.scrollToIndex(i, { align: 'auto' });
        return true;
      },
    });
    return () => registerScroller(columnId, null);
  }, [columnId, registerScroller, virtualizer]);

  return (
    <SortableContext id={columnId} items={shown} strategy={verticalListSortingStrategy}>
      <div
        ref={(el) => {
          scrollRef.current = el;
          droppableRef(el);
        }}
        className="column-tasks"
        data-testid={`column-tasks-${columnName}`}
        data-rendered={shown.length}
      >
        {ids.length > 0 && (
          <div className="column-window" style={{ height: virtualizer.getTotalSize() }}>
            {slots.map((s) => {
              const t = tasks[ids[s.index]!];
              if (!t) return null;
              return (
                <div key={s.key} className="column-slot" data-index={s.index} ref={virtualizer.measureElement} style={{ transform: `translateY(${s.start}px)` }}>
                  <SortableCard task={t} member={t.assignee_id ? membersById.get(t.assignee_id) : undefined} onOpen={onOpen} locked={sorted} today={today} />
                </div>
              );
            })}
          </div>
        )}
        {empty && <p className="column-empty">{empty}</p>}
      </div>
    </SortableContext>
  );
}
