/** A modal dialog on the native `<dialog>` element (focus kept inside, Escape closes). */
import { type ReactNode, type RefObject, useEffect, useId, useRef } from "react";

/** Props of {@link Modal}. */
export interface ModalProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** The element to focus once open (default: the browser's choice, the first focusable one). */
  initialFocus?: RefObject<HTMLElement | null>;
}

/** The modal: opens on mount, calls `onClose` when closed by Escape or the Close button. */
export function Modal({ title, onClose, children, initialFocus }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  // Open once mounted. No close() in a cleanup: removing the element ends the modal state, and a
  // close() there would fire `close` (and so onClose) when React re-runs effects.
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    initialFocus?.current?.focus();
  }, [initialFocus]);
  return (
    <dialog ref={ref} className="modal" aria-labelledby={id} onClose={onClose}>
      <div className="modal-head">
        <h2 id={id}>{title}</h2>
        <button type="button" className="btn btn-quiet btn-small" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
      {children}
    </dialog>
  );
}
