/** Shared queries that several screens use. */
import { useQuery } from '@tanstack/react-query';
import { endpoints } from './endpoints';

/** The active rules profile: the extension rule and the jump-bid threshold shown and used by the panel. */
export function useRules() {
  return useQuery({ queryKey: ['rules'], queryFn: endpoints.rules, staleTime: Infinity });
}

export function useCourts() {
  return useQuery({ queryKey: ['courts'], queryFn: endpoints.courts, staleTime: 300_000 });
}
