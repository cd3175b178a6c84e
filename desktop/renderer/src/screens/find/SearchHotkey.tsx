import { useEffect } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { SEARCH_INPUT_ID } from './SearchBox';

const typing = (el: Element | null) => !!el && (el.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]') || el.closest('[role="dialog"]') !== null);

/** `/` anywhere in the app (outside a text field or dialog) goes to the search box of Find. */
export function SearchHotkey() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || typing(document.activeElement)) return;
      event.preventDefault();
      const input = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
      if (input) {
        input.focus();
        input.select();
      } else {
        navigate('/users');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, location.pathname]);
  return null;
}
