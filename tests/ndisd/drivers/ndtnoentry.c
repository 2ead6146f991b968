/* ndtnoentry.c - a shared object that is not a driver: it exports no DriverEntry. */
int ndt_not_a_driver(int x);
int ndt_not_a_driver(int x)
{
    return x + 1;
}
