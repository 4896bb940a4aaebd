/** A small busy indicator; the text next to it says what is happening. */
export function Spinner({ large = false }: { large?: boolean }) {
  return <span className={`spinner${large ? ' large' : ''}`} aria-hidden="true" />;
}
