/** The next valid resident ID of this process, distinct across the processes of a run (see resident-ids.mjs). */
export declare function residentId(): string;
