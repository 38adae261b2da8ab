/**
 * The review keys, one table for the review queue and the sheet view's cell editor:
 * 0-9 set the digit, Enter accepts the reading, U or ? marks "needs the judge", Delete or Backspace
 * sets it empty, Ctrl+Z (⌘Z) undoes, → / ↓ / S skips, ← / ↑ goes back to a skipped cell, P shows the
 * whole page around the cell.
 */
import type { Decision } from '../../shared/contract.js';

export type KeyAction = { kind: 'decide'; decision: Decision } | { kind: 'undo' } | { kind: 'skip' } | { kind: 'back' } | { kind: 'page' };

export const LEGEND: { keys: string[]; what: string }[] = [
  { keys: ['0', '…', '9'], what: 'set the digit and go on' },
  { keys: ['Enter'], what: 'accept the reading' },
  { keys: ['U', '?'], what: 'needs the judge' },
  { keys: ['Delete', 'Backspace'], what: 'the cell is empty' },
  { keys: ['Ctrl', '+', 'Z'], what: 'undo' },
  { keys: ['→', 'S'], what: 'skip for now' },
  { keys: ['←'], what: 'back to a skipped cell' },
  { keys: ['P'], what: 'show the whole page' },
];

/** What a key press means, or null when it is not a review key. */
export function keyAction(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>): KeyAction | null {
  const { key } = event;
  if (event.ctrlKey || event.metaKey) {
    return key === 'z' || key === 'Z' ? { kind: 'undo' } : null;
  }
  if (event.altKey) return null;
  if (key.length === 1 && key >= '0' && key <= '9') return { kind: 'decide', decision: { action: 'set', value: Number(key) } };
  switch (key) {
    case 'Enter':
      return { kind: 'decide', decision: { action: 'accept' } };
    case 'u':
    case 'U':
    case '?':
      return { kind: 'decide', decision: { action: 'unresolved' } };
    case 'Delete':
    case 'Backspace':
      return { kind: 'decide', decision: { action: 'empty' } };
    case 'ArrowRight':
    case 'ArrowDown':
    case 's':
    case 'S':
      return { kind: 'skip' };
    case 'ArrowLeft':
    case 'ArrowUp':
      return { kind: 'back' };
    case 'p':
    case 'P':
      return { kind: 'page' };
    default:
      return null;
  }
}

/** Is the key press aimed at a text field (or a control that uses the key itself)? Then leave it alone. */
export function typingInto(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

export function describeDecision(decision: Decision): string {
  switch (decision.action) {
    case 'set':
      return `set to ${decision.value}`;
    case 'accept':
      return 'reading accepted';
    case 'unresolved':
      return 'marked for the judge';
    case 'empty':
      return 'set empty';
  }
}
