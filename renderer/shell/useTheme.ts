import { useEffect } from 'react';
import { useAppState } from '../state/store';

export function useTheme() {
  const theme = useAppState((s) => s.settings.theme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}
